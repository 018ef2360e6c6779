package io.m365connector.sync;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.TableEntity;
import io.m365connector.platform.TableAccess;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * When each synced resource is due for a run without a notification (table {@code syncdue}):
 * PartitionKey = {@code due-<shard>} (16 shards by the connection id's last hex digit), RowKey =
 * {@code <due epoch millis, 13 digits>_<connection>_<target key>} (a shared mailbox's address in
 * property {@code Mailbox}), so the timer reads only what is due,
 * however many connections there are. A due time is moved by writing the new entry first, then removing
 * the old one: an interruption leaves an extra entry (a harmless extra run), never none.
 */
final class SyncSchedule {
    static final int SHARDS = 16;

    /** A due entry: which resource of which connection, and the time it names. */
    record Due(String connectionId, SyncTarget target, Instant at) {
    }

    private final TableAccess table;

    SyncSchedule(TableClient table) {
        this.table = new TableAccess(table);
    }

    void add(String connectionId, SyncTarget target, Instant at) {
        TableEntity entry = new TableEntity(partition(connectionId), key(connectionId, target, at));
        if (target.isShared()) {
            entry.addProperty("Mailbox", target.mailbox()); // the key holds only its digest
        }
        table.upsert(entry);
    }

    void remove(Due due) {
        table.delete(partition(due.connectionId()), key(due.connectionId(), due.target(), due.at()));
    }

    /**
     * Entries due at {@code now}, earliest first per shard, at most {@code limit} in all. Each shard first gets its share of
     * the limit, then what is left goes to the shards that had more, in order: read shard by shard to the limit, a backlog in
     * the first shards would starve the last ones tick after tick (their shared mailboxes, which only the timer syncs, never run).
     */
    List<Due> due(Instant now, int limit) {
        List<Due> due = new ArrayList<>();
        String upper = String.format("%013d", now.toEpochMilli() + 1);
        int share = Math.max(1, (limit + SHARDS - 1) / SHARDS);
        String[] lastRead = new String[SHARDS];
        for (int shard = 0; shard < SHARDS && due.size() < limit; shard++) {
            lastRead[shard] = read(shard, null, upper, Math.min(share, limit - due.size()), due);
        }
        for (int shard = 0; shard < SHARDS && due.size() < limit; shard++) {
            if (lastRead[shard] != null) {
                read(shard, lastRead[shard], upper, limit - due.size(), due);
            }
        }
        return due;
    }

    /**
     * Reads up to {@code most} due entries of a shard after row key {@code after} (null: from the start) into {@code into};
     * returns the last key read when it read {@code most} (more may follow), else null.
     */
    private String read(int shard, String after, String upper, int most, List<Due> into) {
        String filter = "PartitionKey eq 'due-" + Integer.toHexString(shard) + "' and RowKey lt '" + upper + "'"
                + (after == null ? "" : " and RowKey gt '" + after + "'");
        List<TableEntity> found = table.query(filter, most);
        found.forEach(e -> parse(e.getRowKey(), (String) e.getProperty("Mailbox")).ifPresent(into::add));
        return found.size() < most ? null : found.get(found.size() - 1).getRowKey();
    }

    private static String partition(String connectionId) {
        return "due-" + Character.toLowerCase(connectionId.charAt(connectionId.length() - 1));
    }

    private static String key(String connectionId, SyncTarget target, Instant at) {
        return String.format("%013d", at.toEpochMilli()) + "_" + connectionId + "_" + target.key();
    }

    private static Optional<Due> parse(String rowKey, String mailbox) {
        String[] parts = rowKey.split("_", 3);
        if (parts.length != 3) {
            return Optional.empty();
        }
        String[] rest = parts[2].split("_");
        String connectionId = parts[1] + "_" + rest[0];
        return SyncTarget.fromKey(rest.length > 1 ? rest[1] : null, mailbox)
                .map(t -> new Due(connectionId, t, Instant.ofEpochMilli(Long.parseLong(parts[0]))));
    }
}
