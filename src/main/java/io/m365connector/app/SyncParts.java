package io.m365connector.app;

import io.m365connector.functions.SyncFunctions;
import io.m365connector.platform.Lazy;
import io.m365connector.sync.ChangeListener;
import io.m365connector.sync.SyncService;
import io.m365connector.sync.SyncStores;
import io.m365connector.sync.SyncTimer;

/** Mailbox and calendar sync: its tables, the service that runs deltas and serves the feed, and the timer. */
final class SyncParts {
    final Lazy<SyncStores> stores;
    final Lazy<SyncService> service;
    final Lazy<SyncTimer> timer;

    SyncParts(Wiring wiring, PlatformParts platform, TokenParts tokens, FeatureParts features) {
        var tables = platform.tables;
        this.stores = Lazy.of(() -> SyncStores.of(tables.get().getTableClient(wiring.tables.syncState()),
                tables.get().getTableClient(wiring.tables.syncItems()), tables.get().getTableClient(wiring.tables.changes())));
        this.service = Lazy.of(() -> new SyncService(features.graph.get(), tokens.connections.get(), stores.get(),
                platform.queue(SyncFunctions.SYNC_QUEUE), ChangeListener.NONE, wiring.clock));
        this.timer = Lazy.of(() -> SyncTimer.of(tables.get().getTableClient(wiring.tables.syncDue()), tokens.connections.get(), service.get(),
                wiring.clock));
    }
}
