package io.m365connector.sync;

import com.azure.data.tables.TableClient;

/** The tables sync keeps: per-target state, the shared mailboxes named and the feed row, the item index, the change feed, the subscriptions held. */
public record SyncStores(SyncStates states, SharedMailboxes shared, ItemIndex index, ChangeFeed feed, Subscriptions subscriptions) {
    public static SyncStores of(TableClient syncState, TableClient syncItems, TableClient changes, TableClient subscriptions) {
        return new SyncStores(new SyncStates(syncState), new SharedMailboxes(syncState), new ItemIndex(syncItems), new ChangeFeed(changes),
                new Subscriptions(subscriptions));
    }
}
