package io.m365connector.connection;

import com.azure.core.http.rest.Response;
import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import com.azure.data.tables.models.TableServiceException;
import io.m365connector.platform.EntityValues;
import io.m365connector.platform.TableAccess;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Connections in Azure Table Storage.
 *
 * <p><b>connections</b> table: one row per connection, PartitionKey = RowKey = connection id.
 * Point reads and ETag-conditional replaces; the MSAL token cache is stored only as ciphertext.
 * The RowKey repeats the id rather than being a constant: Azurite (tests, local runs) finds an
 * entity through its RowKey index first, so a RowKey shared by every row made each point read and
 * write scan the whole table (5x slower refreshes with 11,000 rows, measured with SweepBenchmark).
 *
 * <p><b>Refresh index</b> ({@code refreshdue} table): one entry per connection that has a due time,
 * PartitionKey = {@code due-<shard>} (shard = last hex digit of the id, mod {@value #SHARDS}) and
 * RowKey = {@code <due epoch millis, 13 digits>_<connection id>}. Row keys sort by due time, so the
 * sweep asks each shard for the range {@code RowKey < now}: the service reads only due entries, never
 * the connections that are not due, however many there are. Shards spread the writes of refresh
 * workers over several partitions. The connection row stays where it is: moving rows between
 * partitions on every refresh would lose the ETag that protects the refresh token.
 *
 * <p>Index and row are two writes without a transaction, ordered so that an interruption can only
 * leave an extra entry, never a missing one: the new entry is written before the row, the old entry
 * is deleted after it. Extra entries are noticed by the sweep (the connection's due time differs) and
 * dropped with {@link #forgetDue}.
 *
 * <p><b>Owner index</b> ({@code connectionowners} table): {@link OwnerIndex}, written before a new row and
 * removed after a deleted one, in the same interruption-safe order.
 */
public final class TableConnectionStore implements ConnectionStore {
    static final int SHARDS = 8;

    private final TableAccess connections;
    private final TableAccess dueIndex;
    private final OwnerIndex owners;

    public TableConnectionStore(TableClient connections, TableClient dueIndex, TableClient owners) {
        this.connections = new TableAccess(connections);
        this.dueIndex = new TableAccess(dueIndex);
        this.owners = new OwnerIndex(owners);
    }

    @Override
    public Optional<Connection> find(String id) {
        if (!Connection.isValidId(id)) {
            return Optional.empty();
        }
        return connections.find(id, id).map(ConnectionRows::fromEntity);
    }

    @Override
    public Connection create(Connection connection) {
        Instant due = connection.refresh().nextRefreshDue();
        owners.add(connection);
        indexAt(connection.id(), due);
        try {
            Response<Void> response = connections.call(() ->
                    connections.client().createEntityWithResponse(ConnectionRows.toEntity(connection), null, null));
            return connection.toBuilder().version(new RowVersion(TableAccess.etag(response), due)).build();
        } catch (TableServiceException e) {
            if (TableAccess.status(e) == 409) {
                throw new ConcurrentUpdateException(connection.id(), "Connection " + connection.id() + " already exists.");
            }
            throw e;
        }
    }

    @Override
    public Connection update(Connection connection) {
        RowVersion read = connection.version();
        if (read == null) {
            throw new IllegalArgumentException("Only a connection read from the store can be updated; use create for new ones.");
        }
        Instant due = connection.refresh().nextRefreshDue();
        if (!read.ownerIndexed()) {
            owners.add(connection); // a row from before the owner index: indexed on its first update
        }
        indexAt(connection.id(), due);
        String etag = connections.replaceIfUnchanged(ConnectionRows.toEntity(connection), read.etag())
                .orElseThrow(() -> new ConcurrentUpdateException(connection.id(), "Connection " + connection.id()
                        + " changed since it was read; re-read it and try again."));
        if (read.indexedDue() != null && !read.indexedDue().equals(due)) {
            removeIndexEntry(connection.id(), read.indexedDue());
        }
        return connection.toBuilder().version(new RowVersion(etag, due)).build();
    }

    @Override
    public void delete(String id) {
        find(id).ifPresent(existing -> remove(existing, false));
    }

    @Override
    public boolean deleteIfUnchanged(Connection read) {
        return remove(read, true);
    }

    /** The row (as read, when {@code ifUnchanged}), then its index entries: an interruption leaves extra entries, never missing ones. */
    private boolean remove(Connection read, boolean ifUnchanged) {
        TableEntity row = new TableEntity(read.id(), read.id()).addProperty("odata.etag", read.version().etag());
        boolean removed = true;
        try {
            connections.run(() -> connections.client().deleteEntityWithResponse(row, ifUnchanged, null, null));
        } catch (TableServiceException e) {
            if (TableAccess.status(e) == 412) {
                return false; // changed since it was read: its entries are the new row's
            }
            if (TableAccess.status(e) != 404) {
                throw e;
            }
            removed = !ifUnchanged; // gone already: its entries go all the same
        }
        if (read.version().indexedDue() != null) {
            removeIndexEntry(read.id(), read.version().indexedDue());
        }
        owners.remove(read);
        return removed;
    }

    @Override
    public ConnectionPage listByOwner(OwnerQuery query) {
        return owners.list(query, this::find);
    }

    @Override
    public List<DueConnection> findDue(Instant now, int limit) {
        String upper = millis(now.plusMillis(1));
        List<DueConnection> due = new ArrayList<>();
        for (int shard = 0; shard < SHARDS; shard++) {
            String filter = "PartitionKey eq '" + partition(shard) + "' and RowKey lt '" + upper + "'";
            ListEntitiesOptions options = new ListEntitiesOptions().setFilter(filter)
                    .setSelect(List.of("RowKey")).setTop(Math.min(limit, 1000));
            dueIndex.run(() -> {
                int taken = 0;
                for (TableEntity entry : dueIndex.client().listEntities(options, null, null)) {
                    due.add(parseRowKey(entry.getRowKey()));
                    if (++taken >= limit) {
                        break;
                    }
                }
            });
        }
        due.sort(Comparator.comparing(DueConnection::dueAt));
        return due.size() > limit ? List.copyOf(due.subList(0, limit)) : List.copyOf(due);
    }

    @Override
    public void recordUse(String id, Instant at) {
        TableEntity patch = new TableEntity(id, id).addProperty("LastUsedAt", EntityValues.utc(at));
        try {
            connections.run(() -> connections.client().updateEntity(patch, TableEntityUpdateMode.MERGE));
        } catch (TableServiceException e) {
            if (TableAccess.status(e) != 404) {
                throw e;
            }
        }
    }

    @Override
    public void forgetDue(DueConnection entry) {
        removeIndexEntry(entry.connectionId(), entry.dueAt());
    }

    private void indexAt(String id, Instant due) {
        if (due == null) {
            return;
        }
        TableEntity entry = new TableEntity(partition(shardOf(id)), millis(due) + "_" + id);
        dueIndex.run(() -> dueIndex.client().upsertEntity(entry));
    }

    private void removeIndexEntry(String id, Instant due) {
        try {
            dueIndex.run(() -> dueIndex.client().deleteEntity(partition(shardOf(id)), millis(due) + "_" + id));
        } catch (TableServiceException e) {
            if (TableAccess.status(e) != 404) {
                throw e;
            }
        }
    }

    static int shardOf(String connectionId) {
        return Character.digit(connectionId.charAt(connectionId.length() - 1), 16) % SHARDS;
    }

    private static String partition(int shard) {
        return "due-" + shard;
    }

    private static String millis(Instant instant) {
        return String.format("%013d", instant.toEpochMilli());
    }

    private static DueConnection parseRowKey(String rowKey) {
        int split = rowKey.indexOf('_');
        return new DueConnection(rowKey.substring(split + 1), Instant.ofEpochMilli(Long.parseLong(rowKey.substring(0, split))));
    }
}
