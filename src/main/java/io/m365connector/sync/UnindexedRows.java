package io.m365connector.sync;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Records in the item index the feed rows beyond the counter, before a new writer numbers anything after them. Such rows
 * were appended by a writer that died, or whose index write failed, before its checkpoint: the feed has them, the index may
 * not, and without this a later run of their resource would take the items for new (the page is read again) and append
 * them a second time, under new sequences, once another writer had moved the counter past them.
 *
 * <p>What the row says is what the index would have said: a created or updated item with its changeKey (in the generation
 * of the resource's current sync, the one the dead run used), a deleted one gone. An item with several rows: the last
 * counts. Writing what is there already changes nothing, so a writer that dies here is followed by one that does it again.
 */
final class UnindexedRows {
    private static final Logger LOG = Logger.getLogger(UnindexedRows.class.getName());

    private UnindexedRows() {
    }

    static void record(SyncStates states, ItemIndex index, String connectionId, List<Change> beyond) {
        Map<SyncTarget, Map<String, Change>> latest = new LinkedHashMap<>();
        for (Change change : beyond) { // in feed order: a later row about the same item replaces an earlier one
            Optional<SyncTarget> target = targetOf(change);
            if (target.isEmpty()) {
                // a resource this version does not sync (a newer version's, after a rollback): nothing here indexes it, and
                // refusing would fail every run of the connection until housekeeping settled the row
                LOG.warning("A change feed row of resource '" + change.resource() + "', which this version does not sync, was left unindexed");
                continue;
            }
            latest.computeIfAbsent(target.get(), t -> new LinkedHashMap<>()).put(change.itemId(), change);
        }
        latest.forEach((target, items) -> {
            long generation = states.find(connectionId, target).orElseGet(() -> SyncState.start(connectionId, target)).generation();
            List<ItemIndex.Indexed> upserts = new ArrayList<>();
            List<String> removals = new ArrayList<>();
            for (Change change : items.values()) {
                if (change.type() != Change.Type.DELETED) {
                    upserts.add(new ItemIndex.Indexed(change.itemId(), change.changeKey(), generation));
                } else if (index.find(connectionId, target, change.itemId()).isPresent()) {
                    removals.add(change.itemId()); // a transaction that deletes a missing row fails as a whole
                }
            }
            index.write(connectionId, target, upserts, removals);
        });
    }

    private static Optional<SyncTarget> targetOf(Change change) {
        return SyncResource.fromId(change.resource())
                .map(resource -> change.mailbox() == null ? SyncTarget.own(resource) : SyncTarget.shared(resource, change.mailbox()));
    }
}
