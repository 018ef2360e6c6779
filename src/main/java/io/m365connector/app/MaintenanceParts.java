package io.m365connector.app;

import io.m365connector.functions.MaintenanceFunctions;
import io.m365connector.maintenance.Housekeeping;
import io.m365connector.maintenance.NotificationWorker;
import io.m365connector.maintenance.RefreshSweep;
import io.m365connector.maintenance.RefreshWorker;
import io.m365connector.maintenance.WebhookReplay;
import io.m365connector.platform.Lazy;
import io.m365connector.platform.webhooks.WebhookSender;
import io.m365connector.platform.webhooks.WebhookSigner;
import io.m365connector.sync.ChangeFeed;
import io.m365connector.sync.ExpiredChanges;
import io.m365connector.sync.UnfinishedDisconnects;
import java.util.Optional;
import java.util.Random;

/** Timers and queues: the refresh sweep and workers, webhook delivery, housekeeping. */
final class MaintenanceParts {
    /** The most connections one sweep enqueues; the next sweep continues with the rest. */
    static final int SWEEP_LIMIT = 20_000;

    final Lazy<RefreshSweep> sweep;
    final Lazy<RefreshWorker> refreshWorker;
    final Lazy<NotificationWorker> notificationWorker;
    final Lazy<Housekeeping> housekeeping;
    final Lazy<WebhookReplay> webhookReplay;

    MaintenanceParts(Wiring wiring, PlatformParts platform, TokenParts tokens, FeatureParts features,
                     CredentialParts credentials, SyncParts sync) {
        this.sweep = Lazy.of(() -> new RefreshSweep(tokens.connections.get(), platform.queue(MaintenanceFunctions.REFRESH_QUEUE),
                wiring.clock, SWEEP_LIMIT));
        this.refreshWorker = Lazy.of(() -> new RefreshWorker(tokens.connections.get(), tokens.broker.get(), tokens.outcomes.get(),
                wiring.clock, credentials.states, new RefreshWorker.Removals(id -> sync.service.get().beforeRemoval(id),
                        id -> sync.service.get().purge(id))));
        this.notificationWorker = Lazy.of(() -> new NotificationWorker(webhookSender(wiring, platform),
                platform.queue(MaintenanceFunctions.NOTIFICATION_QUEUE), platform.queue(MaintenanceFunctions.NOTIFICATION_POISON_QUEUE),
                new Random(), wiring.clock, tokens.connections.get(), credentials.store.get())); // Random is safe to share between threads
        this.webhookReplay = Lazy.of(() -> new WebhookReplay(platform.queue(MaintenanceFunctions.NOTIFICATION_POISON_QUEUE),
                platform.queue(MaintenanceFunctions.NOTIFICATION_QUEUE), platform.settings.get().webhook().isPresent()));
        this.housekeeping = Lazy.of(() -> new Housekeeping(tokens.loginSessions.get(), features.idempotencyStore.get(),
                ExpiredChanges.of(platform.tables.get().getTableClient(wiring.tables.changes()),
                        platform.tables.get().getTableClient(wiring.tables.syncState()),
                        platform.tables.get().getTableClient(wiring.tables.syncItems()), wiring.clock), ChangeFeed.RETENTION,
                UnfinishedDisconnects.of(platform.tables.get().getTableClient(wiring.tables.syncState()), tokens.connections.get(),
                        sync.service.get()), wiring.clock));
    }

    /** Webhooks signed the Standard Webhooks way with the configured secret (the change feed's webhooks share it); none without a URL. */
    private static Optional<WebhookSender> webhookSender(Wiring wiring, PlatformParts platform) {
        return platform.settings.get().webhook().map(webhook ->
                new WebhookSender(webhook.url(), new WebhookSigner(webhook.secrets()), platform.http.get().okHttp(), wiring.clock));
    }
}
