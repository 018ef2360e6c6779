package io.m365connector.app;

import io.m365connector.functions.MaintenanceFunctions;
import io.m365connector.functions.SyncFunctions;
import io.m365connector.platform.Lazy;
import io.m365connector.sync.ChangeListener;
import io.m365connector.sync.FeedWebhooks;
import io.m365connector.sync.NotificationReceiver;
import io.m365connector.sync.NotificationUrls;
import io.m365connector.sync.SharedMailboxSync;
import io.m365connector.sync.Subscriptions;
import io.m365connector.sync.SyncService;
import io.m365connector.sync.SyncStores;
import io.m365connector.sync.SyncTimer;

/** Mailbox and calendar sync: its tables, the service that runs deltas and serves the feed, and the timer. */
final class SyncParts {
    final Lazy<SyncStores> stores;
    final Lazy<SyncService> service;
    final Lazy<SyncTimer> timer;
    final Lazy<SharedMailboxSync> sharedMailboxes;
    final Lazy<NotificationReceiver> receiver;

    SyncParts(Wiring wiring, PlatformParts platform, TokenParts tokens, FeatureParts features) {
        var tables = platform.tables;
        Lazy<NotificationUrls> urls = Lazy.of(() ->
                NotificationUrls.of(wiring.notificationBaseUrl != null ? wiring.notificationBaseUrl : platform.settings.get().publicBaseUrl()));
        this.stores = Lazy.of(() -> SyncStores.of(tables.get().getTableClient(wiring.tables.syncState()),
                tables.get().getTableClient(wiring.tables.syncItems()), tables.get().getTableClient(wiring.tables.changes()),
                tables.get().getTableClient(wiring.tables.subscriptions())));
        this.service = Lazy.of(() -> new SyncService(features.graph.get(), tokens.connections.get(), stores.get(),
                platform.queue(SyncFunctions.SYNC_QUEUE), changeListener(platform, wiring),
                urls.get(), wiring.clock, platform.settings.get().syncDebounce()));
        // The receiver's own parts: one table and one queue, nothing of Graph, MSAL or Key Vault (Graph asks
        // for an answer within 3 s, and drops notifications to endpoints often slower than 10 s).
        this.receiver = Lazy.of(() -> new NotificationReceiver(new Subscriptions(tables.get().getTableClient(wiring.tables.subscriptions())),
                platform.queue(SyncFunctions.SYNC_QUEUE), wiring.clock));
        this.timer = Lazy.of(() -> SyncTimer.of(tables.get().getTableClient(wiring.tables.syncDue()), tokens.connections.get(), service.get(),
                stores.get(), urls.get(), wiring.clock));
        this.sharedMailboxes = Lazy.of(() -> new SharedMailboxSync(tokens.connections.get(), stores.get(), timer, wiring.clock));
    }

    /** With a webhook URL, the feed's changes also go out as webhook events (through the status events' queue and sender). */
    private static ChangeListener changeListener(PlatformParts platform, Wiring wiring) {
        return platform.settings.get().webhook().isPresent()
                ? new FeedWebhooks(platform.queue(MaintenanceFunctions.NOTIFICATION_QUEUE), wiring.clock) : ChangeListener.NONE;
    }
}
