package io.m365connector.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.data.tables.models.TableEntity;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueClientBuilder;
import com.azure.storage.queue.models.QueueMessageItem;
import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.functions.HttpMethod;
import io.m365connector.app.AppContext;
import io.m365connector.app.ContextParts;
import io.m365connector.app.Wiring;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.functions.MaintenanceFunctions;
import io.m365connector.functions.OperatorFunctions;
import io.m365connector.platform.SettingsReader;
import io.m365connector.sync.ChangeFeed;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.FakeHttpRequest;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.FakeKeyVault;
import io.m365connector.testing.StartTogether;
import io.m365connector.testing.StandardWebhooks;
import io.m365connector.testing.WebhookReceiver;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sweep, workers and notifications over Azurite tables and queues, with the fake Entra ID. */
class MaintenanceTest {
    private static final String WEBHOOK_SECRET = StandardWebhooks.newSecret();
    private static final WebhookReceiver RECEIVER = new WebhookReceiver();
    private static final ConnectorHarness HARNESS = new ConnectorHarness(env -> {
        env.put("NOTIFY_WEBHOOK_URL", RECEIVER.url());
        env.put("NOTIFY_WEBHOOK_SIGNING_SECRET", WEBHOOK_SECRET);
    }, null);

    @AfterAll
    static void tearDown() {
        HARNESS.close();
        RECEIVER.close();
    }

    @BeforeEach
    void drainQueues() {
        queue(MaintenanceFunctions_REFRESH()).clearMessages();
        queue("status-notifications").clearMessages();
    }

    @Test
    void whenSweepingThenExactlyTheDueConnectionsAreEnqueuedOnce() {
        List<String> due = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            due.add(dueNow(HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId(), Duration.ofMinutes(i + 1)));
        }
        for (int i = 0; i < 4; i++) {
            HARNESS.connect(NationalCloud.USGOV, "\"calendar\"");
        }

        var result = ContextParts.of(HARNESS.context).refreshSweep().sweep(false);

        List<RefreshMessage> messages = refreshMessages();
        assertEquals(Set.copyOf(due), messages.stream().map(RefreshMessage::connectionId).collect(Collectors.toSet()));
        assertEquals(3, messages.size());
        assertEquals(3, result.enqueued());
        assertFalse(result.more());
    }

    @Test
    void whenWorkerRefreshesADueConnectionThenTokensRotateAndTheNextDueTimeMovesOut() {
        String id = dueNow(HARNESS.connect(NationalCloud.CHINA, "\"mail\"").connectionId(), Duration.ofMinutes(1));
        Connection before = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
        int refreshes = HARNESS.entra.tokenRequests("refresh_token");

        RefreshWorker.Outcome outcome = ContextParts.of(HARNESS.context).refreshWorker().handle(new RefreshMessage(id, before.refresh().nextRefreshDue()));

        assertEquals(RefreshWorker.Outcome.REFRESHED, outcome);
        assertEquals(refreshes + 1, HARNESS.entra.tokenRequests("refresh_token"));
        Connection after = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
        assertNotEquals(before.tokens(), after.tokens());
        assertTrue(after.refresh().nextRefreshDue().isAfter(HARNESS.clock.instant().plus(Duration.ofDays(6))), "keep-alive in ~7 days");
        assertEquals(0, after.refresh().failureCount());
        assertTrue(ContextParts.of(HARNESS.context).connections().findDue(HARNESS.clock.instant(), 100).stream().noneMatch(d -> d.connectionId().equals(id)));
    }

    @Test
    void whenRefreshKeepAliveDaysIsSetThenARefreshedUnusedConnectionIsDueAgainThatManyDaysLater() {
        String id = dueNow(HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId(), Duration.ofMinutes(1));
        ConnectorHarness.Instance thirtyDays = HARNESS.newInstance(env -> env.put("REFRESH_KEEPALIVE_DAYS", "30"));
        RefreshMessage message = new RefreshMessage(id, ContextParts.of(HARNESS.context).connections().find(id).orElseThrow().refresh()
                .nextRefreshDue());

        assertEquals(RefreshWorker.Outcome.REFRESHED, ContextParts.of(thirtyDays.context()).refreshWorker().handle(message));

        // docs/CONFIGURATION.md: days between refreshes of an unused connection; docs/OPERATIONS.md: jittered by ±1/14 of it
        Instant due = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow().refresh().nextRefreshDue();
        Instant thirty = HARNESS.clock.instant().plus(Duration.ofDays(30));
        Duration jitter = Duration.ofDays(30).dividedBy(14);
        assertTrue(!due.isBefore(thirty.minus(jitter)) && !due.isAfter(thirty.plus(jitter)), "due in 30 days ± " + jitter + ": " + due);
        assertTrue(due.isAfter(HARNESS.clock.instant().plus(Duration.ofDays(7).plus(Duration.ofHours(12)))), "not the default 7 days: " + due);
    }

    @Test
    void whenAMessageIsDuplicatedOrLateThenTheSecondDoesNothing() {
        String id = dueNow(HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId(), Duration.ofMinutes(1));
        RefreshMessage message = new RefreshMessage(id, ContextParts.of(HARNESS.context).connections().find(id).orElseThrow().refresh().nextRefreshDue());
        assertEquals(RefreshWorker.Outcome.REFRESHED, ContextParts.of(HARNESS.context).refreshWorker().handle(message));
        int requests = HARNESS.entra.tokenRequests().size();

        assertEquals(RefreshWorker.Outcome.NOT_DUE, ContextParts.of(HARNESS.context).refreshWorker().handle(message));

        assertEquals(requests, HARNESS.entra.tokenRequests().size(), "no second refresh");
    }

    @Test
    void whenAWorkerRefreshRacesAnActionsRefreshOnAnotherInstanceThenNoRefreshTokenIsLostAndNoFalseNeedsReauth() throws Exception {
        // The sign-in token lives 4 minutes, so the action's instance refreshes too (it refreshes inside 5 minutes),
        // and Entra ID accepts each refresh token once: whichever refresh loses must not store a spent token.
        HARNESS.entra.setAccessTokenLifetime(Duration.ofMinutes(4));
        String id;
        try {
            id = dueNow(HARNESS.connect(NationalCloud.USGOV, "\"mail\"").connectionId(), Duration.ofMinutes(1));
        } finally {
            HARNESS.entra.setAccessTokenLifetime(Duration.ofHours(1));
        }
        HARNESS.entra.setStrictRotation(true);
        try {
            AppContext actionInstance = new AppContext(Wiring.production().settings(() -> SettingsReader.read(HARNESS.env)).routing(HARNESS.routing).clock(HARNESS.clock).tables(HARNESS.tables));
            RefreshMessage message = message(id);
            CyclicBarrier start = new CyclicBarrier(2);
            CompletableFuture<RefreshWorker.Outcome> worker = StartTogether.run(start, () -> ContextParts.of(HARNESS.context).refreshWorker().handle(message));
            CompletableFuture<String> action = StartTogether.run(start, () -> ContextParts.of(actionInstance).broker().tokenFor(id, Set.of("Mail.Send")).value());

            assertTrue(Set.of(RefreshWorker.Outcome.REFRESHED, RefreshWorker.Outcome.NOT_DUE).contains(worker.get()), "worker: " + worker.get());
            assertNotNull(action.get(), "the action got a token");
            assertEquals(ConnectionStatus.ACTIVE, ContextParts.of(HARNESS.context).connections().find(id).orElseThrow().status(), "no false needs_reauth");
            // The stored refresh token is the live one: a third instance can still refresh with it.
            AppContext third = new AppContext(Wiring.production().settings(() -> SettingsReader.read(HARNESS.env)).routing(HARNESS.routing).clock(HARNESS.clock).tables(HARNESS.tables));
            assertNotNull(ContextParts.of(third).broker().refreshNow(id).value());
            assertEquals(ConnectionStatus.ACTIVE, ContextParts.of(HARNESS.context).connections().find(id).orElseThrow().status());
        } finally {
            HARNESS.entra.setStrictRotation(false);
        }
    }

    @Test
    void whenAMessageIsPoisonedThenTheConnectionRecordsTheErrorStaysActiveAndIsDueAgainAfterABackoff() {
        String id = dueNow(HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId(), Duration.ofMinutes(1));
        RefreshMessage message = message(id);

        ContextParts.of(HARNESS.context).refreshWorker().recordPoison(message, new IllegalStateException("boom"));

        Connection after = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
        assertEquals(ConnectionStatus.ACTIVE, after.status());
        assertEquals("internal_error", after.refresh().lastErrorCode());
        assertEquals(1, after.refresh().failureCount());
        assertTrue(after.refresh().nextRefreshDue().isAfter(HARNESS.clock.instant().plus(Duration.ofSeconds(90))), "due again after the backoff");
        assertTrue(ContextParts.of(HARNESS.context).connections().findDue(HARNESS.clock.instant(), 1000).stream().noneMatch(d -> d.connectionId().equals(id)),
                "not swept again until then");
    }

    @Test
    void whenTheConnectionWasDeletedThenTheMessageIsDroppedWithItsIndexEntry() {
        String id = dueNow(HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId(), Duration.ofMinutes(1));
        Instant due = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow().refresh().nextRefreshDue();
        ContextParts.of(HARNESS.context).connections().delete(id);
        assertEquals(RefreshWorker.Outcome.GONE, ContextParts.of(HARNESS.context).refreshWorker().handle(new RefreshMessage(id, due)));
    }

    @Test
    void whenAWorkerWhoseClockLagsSeesTheEntryNotDueYetThenTheConnectionsOnlyIndexEntryStays() {
        String id = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId();
        Connection c = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
        Instant due = HARNESS.clock.instant().plusSeconds(20).plusNanos(123_456); // the row keeps microseconds, the index milliseconds
        ContextParts.of(HARNESS.context).connections().update(c.toBuilder().refresh(c.refresh().withNextRefreshDue(due)).build());
        RefreshMessage fromTheIndex = ContextParts.of(HARNESS.context).connections().findDue(due.plusSeconds(1), 20_000).stream()
                .filter(e -> e.connectionId().equals(id)).map(e -> new RefreshMessage(e.connectionId(), e.dueAt())).findFirst().orElseThrow();

        // the sweep's instance runs 20 s ahead of this one: to this worker the connection is not due yet
        assertEquals(RefreshWorker.Outcome.NOT_DUE, ContextParts.of(HARNESS.context).refreshWorker().handle(fromTheIndex));

        assertTrue(ContextParts.of(HARNESS.context).connections().findDue(due.plusSeconds(1), 20_000).stream()
                .anyMatch(e -> e.connectionId().equals(id)), "the next sweep still finds it");
    }

    @Test
    void whenEntraIsDownThenTheConnectionStaysActiveAndIsDueAgainAfterABackoff() {
        String id = dueNow(HARNESS.connect(NationalCloud.USGOV, "\"mail\"").connectionId(), Duration.ofMinutes(1));
        HARNESS.entra.nextTokenError(503, "temporarily_unavailable", "AADSTS50033: A transient error has occurred.", 50033);
        HARNESS.entra.nextTokenError(503, "temporarily_unavailable", "AADSTS50033: A transient error has occurred.", 50033);

        RefreshWorker.Outcome outcome = ContextParts.of(HARNESS.context).refreshWorker().handle(message(id));

        assertEquals(RefreshWorker.Outcome.RETRY_LATER, outcome);
        Connection after = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
        assertEquals(ConnectionStatus.ACTIVE, after.status());
        assertEquals(1, after.refresh().failureCount());
        assertEquals("temporarily_unavailable", after.refresh().lastErrorCode());
        Duration wait = Duration.between(HARNESS.clock.instant(), after.refresh().nextRefreshDue());
        assertTrue(wait.compareTo(Duration.ofSeconds(90)) > 0 && wait.compareTo(Duration.ofSeconds(150)) < 0, wait.toString());
    }

    @Test
    void whenTheAppsCredentialsAreRefusedThenUsersAreNotMarkedAndTheErrorIsRecorded() {
        String id = dueNow(HARNESS.connect(NationalCloud.USGOVDOD, "\"mail\"").connectionId(), Duration.ofMinutes(1));
        HARNESS.entra.nextTokenError(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.", 7000215);

        assertEquals(RefreshWorker.Outcome.RETRY_LATER, ContextParts.of(HARNESS.context).refreshWorker().handle(message(id)));

        Connection after = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
        assertEquals(ConnectionStatus.ACTIVE, after.status());
        assertEquals("app_secret_invalid", after.refresh().lastErrorCode());
    }

    @Test
    void whenTheRefreshTokenIsRevokedThenNeedsReauthAndTheWebAppReceivesASignedEvent() throws Exception {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        String id = dueNow(c.connectionId(), Duration.ofMinutes(1));
        HARNESS.entra.revokeRefreshTokens(c.user());
        drainNotifications();
        int before = RECEIVER.received().size();

        assertEquals(RefreshWorker.Outcome.NEEDS_REAUTH, ContextParts.of(HARNESS.context).refreshWorker().handle(message(id)));
        drainNotifications();

        assertEquals(ConnectionStatus.NEEDS_REAUTH, ContextParts.of(HARNESS.context).connections().find(id).orElseThrow().status());
        List<WebhookReceiver.Received> received = RECEIVER.documented().subList(before, RECEIVER.received().size());
        assertEquals(1, received.size());
        WebhookReceiver.Received event = received.get(0);
        assertTrue(verify(event), "signature verifies with the shared secret");
        JsonNode body = ConnectorHarness.json(event.body());
        assertEquals("connection.status_changed", body.get("type").asText());
        assertEquals(id, body.get("connectionId").asText());
        assertEquals("owner-1", body.get("ownerId").asText());
        assertEquals("needs_reauth", body.get("status").asText());
        assertEquals("active", body.get("previousStatus").asText());
        assertEquals("reauth_required", body.get("errorCode").asText());
        assertEquals(body.get("id").asText(), event.headers().get("webhook-id"));
        assertFalse(event.body().toLowerCase().contains("token"), "no tokens in events");
    }

    /** A DELETE repeated (a retry of a DELETE whose answer was lost) tells the web app once. */
    @Test
    void whenAConnectionIsDisconnectedTwiceThenTheWebAppHearsOfItOnce() {
        String id = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId();
        drainNotifications();
        int before = RECEIVER.received().size();

        assertEquals(200, HARNESS.deleteConnection(id).getStatusCode());
        assertEquals(200, HARNESS.deleteConnection(id).getStatusCode());
        drainNotifications();

        List<String> statuses = RECEIVER.documented().subList(before, RECEIVER.received().size()).stream()
                .map(r -> ConnectorHarness.json(r.body())).filter(b -> b.path("connectionId").asText().equals(id))
                .map(b -> b.path("status").asText()).toList();
        assertEquals(List.of("disconnected"), statuses);
    }

    /** The backoff itself runs on the test clock in NotificationWorkerTest; here: the retry really goes back to the queue, hidden. */
    @Test
    void whenTheWebhookFailsThenTheEventGoesBackToTheQueueHiddenForTheBackoff() {
        String id = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId();
        drainNotifications();
        RECEIVER.answerNext(500);
        int before = RECEIVER.received().size();

        HARNESS.deleteConnection(id);
        drainNotifications();

        List<WebhookReceiver.Received> received = RECEIVER.documented().subList(before, RECEIVER.received().size());
        assertEquals(1, received.size(), "first attempt failed");
        QueueClient queue = queue("status-notifications");
        assertEquals(1, queue.getProperties().getApproximateMessagesCount(), "the retry is on the queue");
        assertFalse(queue.receiveMessages(1).iterator().hasNext(), "and invisible until the backoff has passed");
    }

    /** OPERATIONS.md: an event given up on (here a 410) goes out again, under its id, when the operator replays them. */
    @Test
    void whenTheOperatorReplaysTheEventsGivenUpOnThenTheWebAppGetsThemAgainUnderTheirIds() {
        String id = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId();
        drainNotifications();
        queue("status-notifications-poison").clearMessages();
        RECEIVER.answerNext(410);
        int before = RECEIVER.received().size();
        HARNESS.deleteConnection(id);
        drainNotifications();
        assertEquals(1, queue("status-notifications-poison").getProperties().getApproximateMessagesCount(), "given up on: 410 Gone");
        // Put on by hand without base64 (the host moves such a message to the poison queue as it is): skipped, left there
        new QueueClientBuilder().connectionString(Azurite.shared().connectionString())
                .queueName(HARNESS.tables.queuePrefix() + "status-notifications-poison").buildClient().sendMessage("{not base64!}");

        FakeHttpResponse replayed = (FakeHttpResponse) HARNESS.context.newFunction(OperatorFunctions.class).replayWebhooks(
                FakeHttpRequest.of(HttpMethod.POST, "https://" + ConnectorHarness.FUNCTION_HOST + "/api/webhooks/replay"),
                new FakeExecutionContext("replayWebhooks"));
        drainNotifications();

        assertEquals(200, replayed.getStatusCode(), replayed.bodyText());
        assertEquals(1, ConnectorHarness.json(replayed.bodyText()).path("replayed").asInt(), replayed.bodyText());
        List<WebhookReceiver.Received> received = RECEIVER.documented().subList(before, RECEIVER.received().size());
        assertEquals(2, received.size(), "refused once, then replayed");
        assertEquals(received.get(0).headers().get("webhook-id"), received.get(1).headers().get("webhook-id"), "under the same id");
        assertTrue(verify(received.get(1)));
        assertEquals(1, queue("status-notifications-poison").getProperties().getApproximateMessagesCount(), "the message by hand stays");
    }

    /** OPERATIONS.md: an answer that does not come within OUTBOUND_TIMEOUT_SECONDS is retried like a refusal. */
    @Test
    void whenTheWebAppAnswersNoSoonerThanTheOutboundTimeoutThenTheEventIsRetried() {
        String id = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId();
        drainNotifications();
        AppContext impatient = HARNESS.newInstance(env -> env.put("OUTBOUND_TIMEOUT_SECONDS", "1")).context();
        RECEIVER.answerNextAfter(Duration.ofMillis(1500), 204);
        int before = RECEIVER.received().size();

        HARNESS.deleteConnection(id);
        drainNotifications(impatient);

        List<WebhookReceiver.Received> received = RECEIVER.documented().subList(before, RECEIVER.received().size());
        assertEquals(1, received.size(), "the web app got the event but answered after the 1 s timeout");
        QueueClient queue = queue("status-notifications");
        // The 1 s timeout is the instance's for every outbound call, Azurite's too: on a loaded machine the queue call
        // that hides the retry (or deletes the delivered message) can time out after Azurite did it, and be made again.
        // Webhooks are at least once (the event id is the web app's to deduplicate), so one or two copies, never none.
        int queued = queue.getProperties().getApproximateMessagesCount();
        assertTrue(queued == 1 || queued == 2, "the retry is on the queue (a storage call timed out and repeated at most once): " + queued);
        assertFalse(queue.receiveMessages(1).iterator().hasNext(), "and invisible until the backoff has passed");
    }

    @Test
    void whenTheKeyWasRotatedThenAWorkerRefreshRewritesTheRowUnderTheNewVersion() throws Exception {
        FakeKeyVault vault = new FakeKeyVault();
        byte[] v1 = new byte[32];
        new SecureRandom().nextBytes(v1);
        vault.putKey("token-encryption-key", "v1", v1, true);
        ConnectorHarness kv = new ConnectorHarness(env -> {
            env.remove("LOCAL_TOKEN_KEY");
            env.put("TOKEN_KEY_VAULT_URL", FakeKeyVault.VAULT_URL);
        }, vault.credential());
        vault.routeInto(kv.routing);
        try {
            String id = kv.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId();
            assertEquals("v1", ContextParts.of(kv.context).connections().find(id).orElseThrow().tokens().keyVersion());
            byte[] v2 = new byte[32];
            new SecureRandom().nextBytes(v2);
            vault.putKey("token-encryption-key", "v2", v2, true);
            kv.clock.advance(Duration.ofMinutes(11));
            Connection c = ContextParts.of(kv.context).connections().find(id).orElseThrow();
            ContextParts.of(kv.context).connections().update(c.toBuilder().refresh(c.refresh().withNextRefreshDue(kv.clock.instant().minusSeconds(1))).build());

            assertEquals(RefreshWorker.Outcome.REFRESHED, ContextParts.of(kv.context).refreshWorker().handle(
                    new RefreshMessage(id, kv.clock.instant().minusSeconds(1))));

            Connection rewritten = ContextParts.of(kv.context).connections().find(id).orElseThrow();
            assertEquals("v2", rewritten.tokens().keyVersion());
            assertTrue(ContextParts.of(kv.context).sealer().open(id, rewritten.cloud(), rewritten.tokens()).contains("RefreshToken"));
        } finally {
            kv.close();
            vault.close();
        }
    }

    @Test
    void whenAzuriteRestartsBetweenSweepAndWorkerThenNothingIsLostAndTheNextSweepPicksTheConnectionUp() {
        Azurite persistent = Azurite.persistent(
                Path.of("target", "azurite-persistent-" + UUID.randomUUID()));
        ConnectorHarness h = new ConnectorHarness(env -> env.put("AzureWebJobsStorage", persistent.connectionString()), null);
        try {
            String id = h.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId();
            Connection c = ContextParts.of(h.context).connections().find(id).orElseThrow();
            ContextParts.of(h.context).connections().update(c.toBuilder().refresh(c.refresh().withNextRefreshDue(h.clock.instant().minusSeconds(5))).build());
            assertEquals(1, ContextParts.of(h.context).refreshSweep().sweep(false).enqueued());

            persistent.restart();
            // The in-flight message is lost (as if the worker died with it); the connection and its due entry are not.
            queueOf(h, MaintenanceFunctions_REFRESH()).clearMessages();
            assertEquals(ConnectionStatus.ACTIVE, ContextParts.of(h.context).connections().find(id).orElseThrow().status());

            assertEquals(1, ContextParts.of(h.context).refreshSweep().sweep(false).enqueued(), "the next sweep picks it up");
            QueueMessageItem item = queueOf(h, MaintenanceFunctions_REFRESH()).receiveMessage();
            assertEquals(RefreshWorker.Outcome.REFRESHED, ContextParts.of(h.context).refreshWorker().handle(RefreshMessage.parse(item.getBody().toString())));
            assertTrue(ContextParts.of(h.context).connections().find(id).orElseThrow().refresh().nextRefreshDue().isAfter(h.clock.instant()));
        } finally {
            h.close();
            persistent.stop();
        }
    }

    @Test
    void whenHousekeepingRunsThenOnlyExpiredSessionsIdempotencyRecordsAndChangesAreRemoved() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        var sessions = ContextParts.of(HARNESS.context).tables().getTableClient(HARNESS.tables.loginSessions());
        var idem = ContextParts.of(HARNESS.context).tables().getTableClient(HARNESS.tables.idempotency());
        var changes = ContextParts.of(HARNESS.context).tables().getTableClient(HARNESS.tables.changes());
        Instant now = HARNESS.clock.instant();
        for (var table : List.of(idem, changes)) {
            try {
                table.createTable();
            } catch (RuntimeException alreadyThere) {
                // created by an earlier test
            }
        }
        // The feed promises 8 days (README, docs/SYNC.md): a change appended 8 days and a minute ago goes, one of 7 days 23 hours stays.
        changes.upsertEntity(change(c.connectionId(), 1, now.minus(ChangeFeed.RETENTION).minusSeconds(60)));
        changes.upsertEntity(change(c.connectionId(), 2, now.minus(ChangeFeed.RETENTION).plusSeconds(3600)));
        // A feed whose writer holds its lease keeps an expired row beyond its counter: that writer settles it (ExpiredChanges)
        String held = "con_" + UUID.randomUUID().toString().replace("-", "");
        var syncState = ContextParts.of(HARNESS.context).tables().getTableClient(HARNESS.tables.syncState());
        try {
            syncState.createTable();
        } catch (RuntimeException alreadyThere) {
            // created by an earlier test
        }
        syncState.upsertEntity(new TableEntity(held, "_feed").addProperty("Counter", 0L)
                .addProperty("LeaseUntil", now.plus(Duration.ofDays(1)).atOffset(ZoneOffset.UTC)));
        changes.upsertEntity(change(held, 1, now.minus(ChangeFeed.RETENTION).minusSeconds(60)));
        sessions.upsertEntity(new TableEntity("20200101", "old-session"));
        idem.upsertEntity(new TableEntity(c.connectionId(), "old-key")
                .addProperty("CreatedAt", now.minus(Duration.ofHours(25)).atOffset(ZoneOffset.UTC)));
        idem.upsertEntity(new TableEntity(c.connectionId(), "fresh-key")
                .addProperty("CreatedAt", now.minus(Duration.ofHours(1)).atOffset(ZoneOffset.UTC)));
        long sessionsBefore = sessions.listEntities().stream().count();

        Housekeeping.Result result = ContextParts.of(HARNESS.context).housekeeping().run();

        assertEquals(1, result.sessionsDeleted());
        assertEquals(1, result.idempotencyDeleted());
        assertEquals(1, result.changesDeleted());
        assertEquals(sessionsBefore - 1, sessions.listEntities().stream().count(), "today's sessions stay");
        assertEquals(List.of("fresh-key"), idem.listEntities().stream().map(e -> e.getRowKey()).toList());
        assertEquals(List.of(rowKey(2)), changes.listEntities().stream()
                .filter(e -> e.getPartitionKey().equals(c.connectionId())).map(e -> e.getRowKey()).toList(), "the change within 8 days stays");
        assertEquals(List.of(rowKey(1)), changes.listEntities().stream()
                .filter(e -> e.getPartitionKey().equals(held)).map(e -> e.getRowKey()).toList(), "its writer's to settle");
        // A reader that had not read change 1 is told that changes went unread; one that had read it is not.
        JsonNode fromTheStart = ConnectorHarness.json(HARNESS.read(c.connectionId(), "/changes").bodyText());
        JsonNode afterTheFirst = ConnectorHarness.json(HARNESS.read(c.connectionId(), "/changes?cursor=s1").bodyText());
        assertEquals(List.of("chg_2"), fromTheStart.get("changes").findValuesAsText("id"), fromTheStart.toString());
        assertTrue(fromTheStart.get("gap").asBoolean(), "change 1 was removed unread: " + fromTheStart);
        assertEquals(false, afterTheFirst.get("gap").asBoolean(), afterTheFirst.toString());
    }

    @Test
    void whenAChangeExpiredBeforeAnEarlierOneThenThePageEndsBeforeTheHoleAndTheNextSaysGap() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        var changes = ContextParts.of(HARNESS.context).tables().getTableClient(HARNESS.tables.changes());
        try {
            changes.createTable();
        } catch (RuntimeException alreadyThere) {
            // created by an earlier test
        }
        Instant now = HARNESS.clock.instant();
        // change 2 was stamped by an instance whose clock ran behind: housekeeping removed it before changes 1 and 3
        changes.upsertEntity(change(c.connectionId(), 1, now.minus(Duration.ofDays(7))));
        changes.upsertEntity(change(c.connectionId(), 3, now.minus(Duration.ofDays(7))));

        JsonNode first = ConnectorHarness.json(HARNESS.read(c.connectionId(), "/changes").bodyText());
        JsonNode next = ConnectorHarness.json(HARNESS.read(c.connectionId(), "/changes?cursor=" + first.get("nextCursor").asText()).bodyText());

        assertEquals(List.of("chg_1"), first.get("changes").findValuesAsText("id"), first.toString());
        assertTrue(first.get("more").asBoolean(), first.toString());
        assertEquals(List.of("chg_3"), next.get("changes").findValuesAsText("id"), next.toString());
        assertTrue(next.get("gap").asBoolean(), "change 2 went unread: " + next);
    }

    /** A change feed row as the feed writer appends it (table changes: PartitionKey = connection id, RowKey = 20-digit sequence). */
    private static TableEntity change(String connectionId, long sequence, Instant appendedAt) {
        return new TableEntity(connectionId, rowKey(sequence)).addProperty("ChangeId", "chg_" + sequence)
                .addProperty("Resource", "inbox").addProperty("Type", "CREATED").addProperty("ItemId", "item-" + sequence)
                .addProperty("AppendedAt", appendedAt.atOffset(ZoneOffset.UTC));
    }

    private static String rowKey(long sequence) {
        return String.format("%020d", sequence);
    }

    /** Sets the connection due {@code ago} in the past; returns its id. */
    private static String dueNow(String id, Duration ago) {
        Connection c = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
        ContextParts.of(HARNESS.context).connections().update(c.toBuilder().refresh(c.refresh().withNextRefreshDue(HARNESS.clock.instant().minus(ago))).build());
        return id;
    }

    private static RefreshMessage message(String id) {
        return new RefreshMessage(id, ContextParts.of(HARNESS.context).connections().find(id).orElseThrow().refresh().nextRefreshDue());
    }

    private static List<RefreshMessage> refreshMessages() {
        List<RefreshMessage> messages = new ArrayList<>();
        for (QueueMessageItem item : queue(MaintenanceFunctions_REFRESH()).receiveMessages(32)) {
            messages.add(RefreshMessage.parse(item.getBody().toString()));
        }
        return messages;
    }

    /** Runs the notification worker over what is queued now (as the queue trigger would). */
    private static void drainNotifications() {
        drainNotifications(HARNESS.context);
    }

    private static void drainNotifications(AppContext instance) {
        QueueClient queue = queue("status-notifications");
        Set<String> seen = new HashSet<>();
        for (QueueMessageItem item : queue.receiveMessages(32)) {
            if (seen.add(item.getMessageId())) {
                ContextParts.of(instance).notificationWorker().handle(item.getBody().toString());
                queue.deleteMessage(item.getMessageId(), item.getPopReceipt());
            }
        }
    }

    private static boolean verify(WebhookReceiver.Received event) {
        return StandardWebhooks.verify(WEBHOOK_SECRET, event.headers(), event.body(), Instant.now());
    }

    private static String MaintenanceFunctions_REFRESH() {
        return MaintenanceFunctions.REFRESH_QUEUE;
    }

    private static QueueClient queue(String name) {
        return queueOf(HARNESS, name);
    }

    private static QueueClient queueOf(ConnectorHarness h, String name) {
        QueueClient client = h.queue(name);
        client.createIfNotExists();
        return client;
    }
}
