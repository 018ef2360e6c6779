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

    /** Entries due at {@code now}, earliest first per shard, at most {@code limit} in all. */
    List<Due> due(Instant now, int limit) {
        List<Due> due = new ArrayList<>();
        String upper = String.format("%013d", now.toEpochMilli() + 1);
        for (int shard = 0; shard < SHARDS && due.size() < limit; shard++) {
            String filter = "PartitionKey eq 'due-" + Integer.toHexString(shard) + "' and RowKey lt '" + upper + "'";
            for (TableEntity e : table.query(filter, limit - due.size())) {
                parse(e.getRowKey(), (String) e.getProperty("Mailbox")).ifPresent(due::add);
            }
        }
        return due;
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
