package io.m365connector.sync;

import com.azure.data.tables.TableClient;

/** The tables sync keeps: per-resource state and the feed row, the item index, the change feed, the subscriptions held. */
public record SyncStores(SyncStates states, ItemIndex index, ChangeFeed feed, Subscriptions subscriptions) {
    public static SyncStores of(TableClient syncState, TableClient syncItems, TableClient changes, TableClient subscriptions) {
        return new SyncStores(new SyncStates(syncState), new ItemIndex(syncItems), new ChangeFeed(changes), new Subscriptions(subscriptions));
    }
}
