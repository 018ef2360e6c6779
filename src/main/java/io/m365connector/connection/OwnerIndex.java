package io.m365connector.connection;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableServiceException;
import io.m365connector.platform.Secrets;
import io.m365connector.platform.TableAccess;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The owner index ({@code connectionowners} table): one entry per connection, PartitionKey =
 * {@code owner-<SHA-256 of the owner id, base64url>} (any owner id is a valid key, and equal ids share a
 * partition), RowKey = {@code <13-digit inverted creation millis>_<connection id>}, so one partition
 * query returns an owner's connections newest first without reading anyone else's.
 *
 * <p>The entry is written before the connection row and removed after it, so an interruption can
 * leave an entry without a row (skipped when listing), never a row without its entry. Rows written
 * before the index existed get their entry on their next update ({@link RowVersion#ownerIndexed()}).
 */
final class OwnerIndex {
    /** How many entries one page may look at before it returns what it found with a cursor (filters can skip many). */
    static final int MAX_SCANNED = 200;
    private static final long INVERT = 9_999_999_999_999L;

    private final TableAccess owners;

    OwnerIndex(TableClient owners) {
        this.owners = new TableAccess(owners);
    }

    void add(Connection connection) {
        TableEntity entry = new TableEntity(partition(connection.ownerId()), rowKey(connection));
        owners.run(() -> owners.client().upsertEntity(entry));
    }

    void remove(Connection connection) {
        try {
            owners.run(() -> owners.client().deleteEntity(partition(connection.ownerId()), rowKey(connection)));
        } catch (TableServiceException e) {
            if (TableAccess.status(e) != 404) {
                throw e;
            }
        }
    }

    /**
     * A page of the owner's connections that {@code query} admits, read through {@code find}. The
     * index entries come in one query (keys only); the rows by point reads.
     */
    ConnectionPage list(OwnerQuery query, Function<String, Optional<Connection>> find) {
        List<String> keys = keys(query);
        List<Connection> found = new ArrayList<>();
        String last = null;
        for (int i = 0; i < keys.size(); i++) {
            if (found.size() == query.pageSize() || i == MAX_SCANNED) {
                return new ConnectionPage(found, last); // more entries follow
            }
            last = keys.get(i);
            find.apply(last.substring(last.indexOf('_') + 1)).filter(query::admits).ifPresent(found::add);
        }
        return new ConnectionPage(found, null);
    }

    /** Up to one more key than a page may look at, so the page knows whether more follow. */
    private List<String> keys(OwnerQuery query) {
        String filter = "PartitionKey eq '" + partition(query.ownerId()) + "'"
                + (query.after() == null ? "" : " and RowKey gt '" + query.after().replace("'", "''") + "'");
        ListEntitiesOptions options = new ListEntitiesOptions().setFilter(filter).setSelect(List.of("RowKey")).setTop(MAX_SCANNED + 1);
        return owners.call(() -> {
            List<String> keys = new ArrayList<>();
            for (TableEntity entry : owners.client().listEntities(options, null, null)) {
                keys.add(entry.getRowKey());
                if (keys.size() > MAX_SCANNED) {
                    break;
                }
            }
            return keys;
        });
    }

    private static String partition(String ownerId) {
        return "owner-" + Secrets.sha256(ownerId);
    }

    private static String rowKey(Connection connection) {
        Instant created = connection.createdAt();
        return String.format("%013d", INVERT - created.toEpochMilli()) + "_" + connection.id();
    }
}
