package io.m365connector.sync;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableTransactionAction;
import com.azure.data.tables.models.TableTransactionActionType;
import io.m365connector.platform.Secrets;
import io.m365connector.platform.TableAccess;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the feed last said about each synced item: table {@code syncitems}, PartitionKey =
 * {@code <connection>.<target key>}, RowKey = SHA-256 of the item id (Graph ids may hold characters a key
 * may not). A delta item whose changeKey equals the indexed one is no change (a replayed page, a resync
 * after Graph lost the sync state); a full resync marks every item it sees with its generation, and
 * the items it did not see were deleted meanwhile.
 */
final class ItemIndex {
    /** An item as the feed last reported it, and the full sync that last saw it. */
    record Indexed(String itemId, String changeKey, long generation) {
    }

    private final TableAccess table;

    ItemIndex(TableClient table) {
        this.table = new TableAccess(table);
    }

    Optional<Indexed> find(String connectionId, SyncTarget target, String itemId) {
        return table.find(partition(connectionId, target), key(itemId)).map(ItemIndex::fromEntity);
    }

    /** Every indexed item of a connection's resource, by item id (a full sync reads them once instead of one by one). */
    Map<String, Indexed> all(String connectionId, SyncTarget target) {
        Map<String, Indexed> items = new HashMap<>();
        table.query("PartitionKey eq " + TableAccess.literal(partition(connectionId, target)), Integer.MAX_VALUE)
                .forEach(e -> items.put((String) e.getProperty("ItemId"), fromEntity(e)));
        return items;
    }

    /** Writes the items (upserts) and removes the deleted ones, in transactions of at most 100. */
    void write(String connectionId, SyncTarget target, List<Indexed> upserts, List<String> removedItemIds) {
        List<TableTransactionAction> actions = new ArrayList<>();
        String partition = partition(connectionId, target);
        for (Indexed item : upserts) {
            actions.add(new TableTransactionAction(TableTransactionActionType.UPSERT_REPLACE, new TableEntity(partition, key(item.itemId()))
                    .addProperty("ItemId", item.itemId()).addProperty("ChangeKey", String.valueOf(item.changeKey()))
                    .addProperty("Generation", item.generation())));
        }
        for (String itemId : removedItemIds) {
            actions.add(new TableTransactionAction(TableTransactionActionType.DELETE, new TableEntity(partition, key(itemId))));
        }
        for (int from = 0; from < actions.size(); from += TableAccess.TRANSACTION_LIMIT) {
            List<TableTransactionAction> batch = actions.subList(from, Math.min(actions.size(), from + TableAccess.TRANSACTION_LIMIT));
            table.run(() -> table.client().submitTransaction(batch));
        }
    }

    /** Items a full sync of {@code generation} did not see (they were deleted while the sync state was lost), at most {@code limit}. */
    List<Indexed> notSeenIn(String connectionId, SyncTarget target, long generation, int limit) {
        return table.query("PartitionKey eq " + TableAccess.literal(partition(connectionId, target)) + " and Generation lt "
                + generation + "L", limit).stream().map(ItemIndex::fromEntity).toList();
    }

    /** Everything of a connection's resource (disconnect). */
    void clear(String connectionId, SyncTarget target) {
        table.deleteMatching("PartitionKey eq " + TableAccess.literal(partition(connectionId, target)));
    }

    private static String partition(String connectionId, SyncTarget target) {
        return connectionId + "." + target.key();
    }

    private static String key(String itemId) {
        return Secrets.sha256(itemId);
    }

    private static Indexed fromEntity(TableEntity e) {
        Object generation = e.getProperty("Generation");
        return new Indexed((String) e.getProperty("ItemId"), (String) e.getProperty("ChangeKey"),
                generation instanceof Number n ? n.longValue() : 0L);
    }
}
