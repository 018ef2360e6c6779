package io.m365connector.sync;

import io.m365connector.connection.ConcurrentUpdateException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one writer of a connection's feed while it holds the feed lease. It numbers changes after the
 * highest row there is, including rows a writer that died appended beyond the recorded counter; a
 * change such a writer already appended (same change id) is not appended again. The lease is renewed
 * at every checkpoint; a writer that finds it taken over stops there, and so does one still alive after
 * its lease ran out whose append meets a row the next writer wrote ({@link ChangeFeed#append}).
 *
 * <p>The counter means "every row up to here is in the item index": it is recorded at a checkpoint, which comes
 * after the index write, and a writer that failed lets the lease go with the counter of its last checkpoint. Rows
 * beyond it may be missing from the index (the process died, or the index write failed, after the append); the next
 * writer, of whichever resource, records them in the index before it numbers anything, so the resource's replayed
 * page finds them reported and they never reach the feed twice, however far that writer moves the counter.
 */
final class FeedWriter implements AutoCloseable {
    /**
     * An append needs this much of the lease left: clocks of two instances differ by up to {@link SyncService#COVERAGE_SKEW},
     * and the append itself takes a moment. A writer past it has lost the feed as far as a new writer can tell.
     */
    static final Duration LEASE_MARGIN = Duration.ofSeconds(30);
    /** How long housekeeping holds a feed while it records a dead run's rows (a few table writes). */
    static final Duration HOUSEKEEPING_HOLD = Duration.ofMinutes(1);

    private final SyncStates states;
    private final ChangeFeed feed;
    private final String connectionId;
    private final Clock clock;
    private final Duration lease;
    /** Change ids already in the feed beyond the recorded counter: a dead writer's, and this writer's own. */
    private final Map<String, Long> orphans;
    /** The last change id of each item among them: a change is skipped only as the item's latest, never as an earlier one. */
    private final Map<String, String> latest = new HashMap<>();
    private long next;
    /** The counter of the last checkpoint: every row up to it is in the item index. */
    private long settled;
    private String version;
    /** Until when this writer holds the feed, as last saved (by its own clock). */
    private Instant leaseUntil;

    private FeedWriter(SyncStates states, ChangeFeed feed, String connectionId, Clock clock, Duration lease, Instant leaseUntil, long counter,
                       String version, List<Change> beyond) {
        this.leaseUntil = leaseUntil;
        this.states = states;
        this.feed = feed;
        this.connectionId = connectionId;
        this.clock = clock;
        this.lease = lease;
        this.version = version;
        this.orphans = new HashMap<>();
        beyond.forEach(this::remember);
        this.next = Math.max(counter, orphans.values().stream().mapToLong(Long::longValue).max().orElse(0));
        this.settled = counter;
    }

    /** The writer of {@code connectionId}'s feed, or empty while another one holds its lease. */
    static Optional<FeedWriter> acquire(SyncStates states, ChangeFeed feed, ItemIndex index, String connectionId, Clock clock, Duration lease) {
        Instant now = clock.instant();
        Optional<SyncStates.Feed> current = states.feed(connectionId);
        if (current.isPresent() && current.get().leaseUntil() != null && now.isBefore(current.get().leaseUntil())) {
            return Optional.empty();
        }
        long counter = current.map(SyncStates.Feed::counter).orElse(0L);
        Optional<String> taken = states.saveFeed(connectionId, counter, now.plus(lease), current.map(SyncStates.Feed::version).orElse(null));
        if (taken.isEmpty()) {
            return Optional.empty();
        }
        try {
            List<Change> beyond = feed.after(connectionId, counter, Integer.MAX_VALUE);
            if (beyond.isEmpty()) {
                return Optional.of(new FeedWriter(states, feed, connectionId, clock, lease, now.plus(lease), counter, taken.get(), beyond));
            }
            UnindexedRows.record(states, index, connectionId, beyond);
            // Indexed now: the counter moves past them at once, so a later writer never records them again in a newer
            // generation (a full sync begun since would take them for seen).
            long indexed = beyond.get(beyond.size() - 1).sequence();
            Optional<String> settled = states.saveFeed(connectionId, indexed, now.plus(lease), taken.get());
            return settled.map(v -> new FeedWriter(states, feed, connectionId, clock, lease, now.plus(lease), indexed, v, beyond));
        } catch (RuntimeException e) {
            states.saveFeed(connectionId, counter, clock.instant(), taken.get()); // let the lease go: the queue's retry tries again
            throw e;
        }
    }

    /**
     * For a connection whose sync state is being forgotten (a disconnect, or a reconnect that finds the old state): moves
     * the counter past rows a failed writer left beyond it. Those rows are never to be indexed (the index is being
     * cleared), and left there they would do harm: recorded into the fresh index of a reconnect within the retention,
     * they would hide items from its first run, which must report every item as created (the web app dropped its copy);
     * expired after it, the next writer would number over them and a web app's cursor past them would skip as many new
     * changes. A writer holding the lease meanwhile fails its next checkpoint, as it would against any other writer.
     */
    static void settleForForget(SyncStates states, ChangeFeed feed, String connectionId) {
        settle(states, feed, connectionId, null, null);
    }

    /**
     * Housekeeping's: {@link #settleForForget} unless a writer holds the feed at {@code now} (checked at every attempt: a
     * writer that takes the feed meanwhile settles the rows itself, and must not find its lease's version gone).
     */
    static void settleUnlessHeld(SyncStates states, ChangeFeed feed, ItemIndex index, String connectionId, Instant now) {
        settle(states, feed, connectionId, now, index);
    }

    /** @param index where the rows are recorded before the counter moves past them ({@link UnindexedRows}); null: not (a forget) */
    private static void settle(SyncStates states, ChangeFeed feed, String connectionId, Instant unlessHeldAt, ItemIndex index) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<SyncStates.Feed> current = states.feed(connectionId);
            if (current.isEmpty()) {
                return; // never written: no rows either
            }
            if (unlessHeldAt != null && current.get().leaseUntil() != null && current.get().leaseUntil().isAfter(unlessHeldAt)) {
                return;
            }
            List<Change> beyond = feed.after(connectionId, current.get().counter(), Integer.MAX_VALUE);
            if (beyond.isEmpty()) {
                return;
            }
            Instant lease = current.get().leaseUntil() == null ? Instant.EPOCH : current.get().leaseUntil();
            String version = current.get().version();
            if (index != null) {
                // As a writer's acquire does, and holding the feed as it does (a writer taking it meanwhile would have its newer
                // index entries overwritten by these rows): settled unrecorded, a run reading the page again (the connection back
                // from needs_reauth with its state) would take the items for new and report them a second time.
                Optional<String> held = states.saveFeed(connectionId, current.get().counter(), unlessHeldAt.plus(HOUSEKEEPING_HOLD), version);
                if (held.isEmpty()) {
                    continue;
                }
                version = held.get();
                UnindexedRows.record(states, index, connectionId, beyond);
                lease = unlessHeldAt; // let go by the save below
            }
            long last = beyond.get(beyond.size() - 1).sequence();
            if (states.saveFeed(connectionId, last, lease, version).isPresent()) {
                return;
            }
        }
        throw new ConcurrentUpdateException(connectionId, "The change feed kept changing while its counter was settled; try again.");
    }

    /** Numbers and appends the changes not appended already; returns those appended now, in feed order. */
    List<Change> append(List<Change> changes) {
        List<Change> appended = new ArrayList<>();
        Set<String> numbered = new HashSet<>();
        Instant now = clock.instant();
        if (!now.isBefore(leaseUntil.minus(LEASE_MARGIN))) {
            // another writer may hold the feed by now (or will, by a clock a little ahead): one that read its page later
            // appends after this one's rows, and this one's older page would then be the last word on its items
            throw new ConcurrentUpdateException(connectionId, "This run's hold on the change feed ran out before it appended; the next run "
                    + "goes on from its last checkpoint.");
        }
        long last = next;
        Map<String, String> latestInBatch = new HashMap<>();
        for (Change change : changes) {
            // A change this writer appended earlier (a replayed page) is an orphan too, but only while it is the item's latest:
            // an item deleted, back, and deleted again within one run brings its deletion's id a second time, and it counts.
            String itemsLatest = latestInBatch.getOrDefault(change.itemId(), latest.get(change.itemId()));
            boolean there = orphans.containsKey(change.id()) && change.id().equals(itemsLatest);
            if (!there && numbered.add(change.id())) {
                appended.add(change.at(++last, now));
                latestInBatch.put(change.itemId(), change.id());
            }
        }
        feed.append(connectionId, appended);
        // Only now: numbers of an append that failed are not recorded, so the feed's sequences keep no hole.
        appended.forEach(this::remember);
        next = last;
        return Collections.unmodifiableList(appended);
    }

    private void remember(Change appended) {
        orphans.put(appended.id(), appended.sequence());
        latest.put(appended.itemId(), appended.id());
    }

    /** Records the counter and renews the lease; {@link ConcurrentUpdateException} when another writer took the feed over. */
    void checkpoint() {
        Instant until = clock.instant().plus(lease);
        version = states.saveFeed(connectionId, next, until, version).orElseThrow(() ->
                new ConcurrentUpdateException(connectionId, "Another writer took the change feed over."));
        settled = next;
        leaseUntil = until;
    }

    /**
     * Renews the lease before a long read (a folder's listing): a checkpoint of nothing new, made only where nothing was
     * appended since the last one; {@link ConcurrentUpdateException} when another writer took the feed over.
     */
    void renew() {
        if (next == settled) {
            checkpoint();
        }
    }

    /**
     * Lets the lease go with the counter of the last checkpoint. After a failure, rows appended since may be missing from
     * the item index: left beyond the counter, the next writer records them there ({@link UnindexedRows}).
     */
    @Override
    public void close() {
        states.saveFeed(connectionId, settled, clock.instant(), version);
    }
}
