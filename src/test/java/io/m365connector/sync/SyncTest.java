package io.m365connector.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.TableServiceClient;
import com.azure.data.tables.TableServiceClientBuilder;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.functions.HttpMethod;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.functions.ConnectionFunctions;
import io.m365connector.functions.SyncFunctions;
import io.m365connector.platform.http.HostRouting;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.ClockSleeper;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.FakeHttpRequest;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.KillSwitch;
import io.m365connector.testing.OnceAtRequest;
import io.m365connector.testing.ProcessDeath;
import io.m365connector.testing.RefusedCall;
import io.m365connector.testing.graph.FakeDelta;
import io.m365connector.testing.graph.NotificationEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mailbox and calendar sync end to end against the fake Graph, on virtual time: Graph's notifications
 * reach the receiver function in process, queued requests are run by the worker function, the timer is
 * ticked, hours pass by moving the clock. Every scenario checks the feed: each change there once, none
 * missing. Inbox scenarios run where Graph serves message delta (not 21Vianet).
 */
class SyncTest {
    private static final ConnectorHarness HARNESS = ConnectorHarness.withClockedQueues(env -> { });
    private static final AtomicBoolean RECEIVER_UP = new AtomicBoolean(true);

    static {
        NotificationEndpoint receiver = HARNESS.graphEndpoint();
        HARNESS.graph.subscriptions().setEndpoint((url, contentType, body, query) -> {
            if (!RECEIVER_UP.get()) {
                return NotificationEndpoint.Response.status(503);
            }
            return receiver.deliver(url, contentType, body, query);
        });
    }

    /** This test's connections: disconnected after it, so the timer of later tests does not check them again each tick. */
    private static final List<String> CONNECTED = new ArrayList<>();

    @AfterEach
    void disconnectThisTestsConnections() {
        HARNESS.graph.clearFaults();
        RECEIVER_UP.set(true);
        for (String id : CONNECTED) {
            FakeHttpResponse disconnected = HARNESS.deleteConnection(id);
            assertEquals(200, disconnected.getStatusCode(), "clean-up: " + disconnected.bodyText()); // idempotent: also after a test's own
        }
        CONNECTED.clear();
        drain();
    }

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "USGOV", "USGOVDOD"})
    void whenAUserConnectsThenTheInboxIsInTheFeedAndNewMailArrivesThroughTheNotificationOnce(NationalCloud cloud) {
        Synced user = connect(cloud);
        String first = HARNESS.graph.mail().deliverText(user.upn, "before connecting");
        // the connection existed before this mail: the initial run of enroll reports it
        syncNow(user);
        assertEquals(List.of("created:before connecting"), describe(changes(user)));
        assertEquals(2, HARNESS.graph.subscriptions().subscriptions(user.upn).size(), "one subscription each for inbox and calendar");

        String second = HARNESS.graph.mail().deliverText(user.upn, "after connecting"); // Graph notifies; the receiver asks for a run
        drain();
        HARNESS.graph.mail().markRead(user.upn, second, true);
        drain();
        HARNESS.graph.mail().delete(user.upn, first);
        drain();

        assertEquals(List.of("created:before connecting", "created:after connecting", "updated:after connecting", "deleted:"),
                describe(changes(user)));
        assertNoDuplicates(user);
    }

    @Test
    void whenTheInstanceDiesAfterGraphMadeTheSubscriptionThenTheRetriedRunReplacesItAndNotificationsFlow() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        CONNECTED.add(c.connectionId());
        String upn = c.user().userPrincipalName();
        HARNESS.graph.mail().addMailbox(upn);
        List<String> firstRun = HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible();
        KillSwitch killed = new KillSwitch(HARNESS.routing).armAt(call -> call.method().equals("POST")
                && call.path().endsWith("/subscriptions"), KillSwitch.When.AFTER_IT_ACTED);
        SyncFunctions dying = HARNESS.newInstance(killed, new ClockSleeper(HARNESS.clock)).context().newFunction(SyncFunctions.class);
        for (String message : firstRun) {
            try {
                dying.syncWorker(message, new FakeExecutionContext("syncWorker"));
            } catch (ProcessDeath | RuntimeException died) {
                // the queue hands the message out again
            }
        }
        assertTrue(killed.dead());
        List<String> orphan = ids(HARNESS.graph.subscriptions().subscriptions(upn));
        assertEquals(1, orphan.size(), "Graph made the subscription; its answer never reached the connector");

        HARNESS.clock.advance(SyncService.FEED_LEASE.plusSeconds(1));
        firstRun.forEach(message -> HARNESS.sync.syncWorker(message, new FakeExecutionContext("syncWorker")));
        drain();

        List<String> now = ids(HARNESS.graph.subscriptions().subscriptions(upn));
        assertEquals(1, now.size(), "Graph refuses a duplicate (409): the one no row names was deleted and a new one made");
        assertNotEquals(orphan, now);
        JsonNode inbox = ConnectorHarness.json(HARNESS.getConnection(c.connectionId()).bodyText()).path("sync").path(0);
        assertEquals("subscribed", inbox.path("notifications").asText(), inbox.toString());
        HARNESS.graph.mail().deliverText(upn, "notified");
        drain(); // Graph's notification asks for the run: no timer
        assertEquals(List.of("created:notified"), describe(HARNESS.readFeed(c.connectionId())));
    }

    @Test
    void whenTheInboxsSubscriptionIsOrphanedThenItsReplacementKeepsTheLiveSentItemsSubscription() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\",\"sent_items_read\"");
        CONNECTED.add(c.connectionId());
        String upn = c.user().userPrincipalName();
        HARNESS.graph.mail().addMailbox(upn);
        List<String> firstRun = HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible();
        firstRun.stream().filter(m -> m.contains("sentitems")).forEach(m -> HARNESS.sync.syncWorker(m, new FakeExecutionContext("syncWorker")));
        String sentItems = ids(HARNESS.graph.subscriptions().subscriptions(upn)).get(0);
        KillSwitch killed = new KillSwitch(HARNESS.routing).armAt(call -> call.method().equals("POST")
                && call.path().endsWith("/subscriptions"), KillSwitch.When.AFTER_IT_ACTED);
        SyncFunctions dying = HARNESS.newInstance(killed, new ClockSleeper(HARNESS.clock)).context().newFunction(SyncFunctions.class);
        List<String> inboxRun = firstRun.stream().filter(m -> !m.contains("sentitems")).toList();
        for (String message : inboxRun) {
            try {
                dying.syncWorker(message, new FakeExecutionContext("syncWorker"));
            } catch (ProcessDeath | RuntimeException died) {
                // the queue hands the message out again
            }
        }
        assertTrue(killed.dead());
        assertEquals(2, HARNESS.graph.subscriptions().subscriptions(upn).size(), "the inbox's made; its answer never came back");

        HARNESS.clock.advance(SyncService.FEED_LEASE.plusSeconds(1));
        inboxRun.forEach(message -> HARNESS.sync.syncWorker(message, new FakeExecutionContext("syncWorker")));
        drain();

        List<String> now = ids(HARNESS.graph.subscriptions().subscriptions(upn));
        assertEquals(2, now.size(), now.toString());
        assertTrue(now.contains(sentItems), "Sent Items' live subscription (its row names it) is no orphan of the inbox's kind");
    }

    @Test
    void whenAMailsSubjectIsLongerThanATableRowHoldsThenItsChangeIsCutAndTheMailboxKeepsSyncing() {
        Synced user = connect(NationalCloud.GLOBAL);
        syncNow(user);
        // 40,000 characters (80 KB in UTF-8 and UTF-16): a Table string holds 64 KiB, so the append failed on every run
        String huge = "\u00e9".repeat(39_990) + "\uD83D\uDE00".repeat(10);
        HARNESS.graph.mail().deliverText(user.upn, huge);
        drain();
        HARNESS.graph.mail().deliverText(user.upn, "after it");
        drain();

        List<JsonNode> all = changes(user);
        assertEquals(2, all.size(), describe(all).toString().length() > 300 ? "two changes" : describe(all).toString());
        String cut = all.get(0).path("summary").path("subject").asText();
        assertEquals("\u00e9".repeat(Change.Summary.MAX_FIELD_CHARS - 1) + "\u2026", cut, "the first 999 characters and an ellipsis");
        assertEquals("created:after it", describe(all).get(1));
    }

    @Test
    void whenTheSameUserIsConnectedTwiceThenTheSecondDoesNotTakeTheFirstsSubscriptionAndIsSyncedByTheTimer() {
        ConnectorHarness.Connected first = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        CONNECTED.add(first.connectionId());
        String upn = first.user().userPrincipalName();
        HARNESS.graph.mail().addMailbox(upn);
        drain();
        List<String> held = ids(HARNESS.graph.subscriptions().subscriptions(upn));
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail_read\""); // another owner connects the same account
        String second = started.path("connectionId").asText();
        CONNECTED.add(second);
        HARNESS.entra.nextSignIn(first.user());
        HARNESS.browser().navigate(started.path("loginUrl").asText());
        drain();
        HARNESS.clock.advance(SyncCapabilities.safetyInterval().plusSeconds(1));
        tick(); // the timer's runs of both: neither takes the other's subscription

        assertEquals(held, ids(HARNESS.graph.subscriptions().subscriptions(upn)), "the first connection's subscription stays");
        assertEquals("subscribed", ConnectorHarness.json(HARNESS.getConnection(first.connectionId()).bodyText()).path("sync").path(0)
                .path("notifications").asText());
        assertEquals("timer_only", ConnectorHarness.json(HARNESS.getConnection(second).bodyText()).path("sync").path(0)
                .path("notifications").asText());
        HARNESS.graph.mail().deliverText(upn, "to both");
        drain();
        HARNESS.clock.advance(SyncCapabilities.safetyInterval().plusSeconds(1));
        tick();
        assertEquals(List.of("created:to both"), describe(HARNESS.readFeed(first.connectionId())));
        assertEquals(List.of("created:to both"), describe(HARNESS.readFeed(second)));
    }

    /**
     * A disconnect whose clean-up failed at Graph and at storage leaves its subscription alive and its row naming it; the
     * same user connecting again meets it (409, duplicate): a subscription held by a connection no longer active delivers
     * nowhere useful, so it is deleted and the new connection subscribes (was: synced by the timer alone until it expired).
     */
    @Test
    void whenTheSameUserConnectsAgainAfterADisconnectWhoseCleanUpFailedThenTheOldSubscriptionGivesWay() {
        ConnectorHarness.Connected first = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        String upn = first.user().userPrincipalName();
        HARNESS.graph.mail().addMailbox(upn);
        drain();
        List<String> old = ids(HARNESS.graph.subscriptions().subscriptions(upn));
        assertEquals(1, old.size());
        HARNESS.graph.failNext("DELETE", ".*/subscriptions/.*", 403, "ExtensionError", "Operation: Delete; Exception: [Status Code: Forbidden]",
                null, false);
        RefusedCall storageDown = RefusedCall.pathsContaining(HARNESS.routing, HARNESS.tables.subscriptions());
        ConnectionFunctions failing = HARNESS.newInstance(storageDown, new ClockSleeper(HARNESS.clock)).context().newFunction(ConnectionFunctions.class);
        FakeHttpResponse deleted = (FakeHttpResponse) failing.delete(FakeHttpRequest.of(HttpMethod.DELETE, "https://"
                + ConnectorHarness.FUNCTION_HOST + "/api/connections/" + first.connectionId()), first.connectionId(),
                new FakeExecutionContext("deleteConnection"));
        assertEquals(200, deleted.getStatusCode(), deleted.bodyText());
        assertEquals(old, ids(HARNESS.graph.subscriptions().subscriptions(upn)), "left alive at Graph");

        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail_read\"");
        String second = started.path("connectionId").asText();
        CONNECTED.add(second);
        HARNESS.entra.nextSignIn(first.user());
        HARNESS.browser().navigate(started.path("loginUrl").asText());
        drain();

        List<String> now = ids(HARNESS.graph.subscriptions().subscriptions(upn));
        assertEquals(1, now.size(), now.toString());
        assertNotEquals(old, now);
        assertEquals("subscribed", ConnectorHarness.json(HARNESS.getConnection(second).bodyText()).path("sync").path(0)
                .path("notifications").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"kept", "dropped by Graph", "made before the URL was recorded"})
    void whenThePublicBaseUrlMovesThenTheRunsMakeTheSubscriptionAgainForTheNewUrls(String old) {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        CONNECTED.add(c.connectionId());
        String upn = c.user().userPrincipalName();
        HARNESS.graph.mail().addMailbox(upn);
        drain();
        JsonNode before = HARNESS.graph.subscriptions().subscriptions(upn).get(0);
        assertTrue(before.path("notificationUrl").asText().startsWith("https://" + ConnectorHarness.FUNCTION_HOST + "/"), before.toString());
        if (old.equals("dropped by Graph")) {
            assertTrue(HARNESS.graph.subscriptions().deleteSubscriptionSilently(before.path("id").asText()));
        }
        if (old.equals("made before the URL was recorded")) {
            TableClient states = new TableServiceClientBuilder().connectionString(Azurite.shared().connectionString()).buildClient()
                    .getTableClient(HARNESS.tables.syncState());
            TableEntity row = states.getEntity(c.connectionId(), "sub.inbox");
            row.getProperties().remove("NotificationUrl");
            states.updateEntity(row, TableEntityUpdateMode.REPLACE);
        }

        // the operator moves the app to a custom domain (DEPLOY.md); the timer's runs on an instance with the new setting
        SyncFunctions moved = HARNESS.newInstance(env -> env.put("PUBLIC_BASE_URL", "https://connector.contoso.com")).context()
                .newFunction(SyncFunctions.class);
        for (int day = 0; day < 4; day++) { // a row without the URL learns it from Graph at its renewal, a day before expiry
            moved.syncWorker(new SyncRequest(c.connectionId(), SyncResource.INBOX, "timer", HARNESS.clock.instant()).toJson(),
                    new FakeExecutionContext("syncWorker"));
            HARNESS.clock.advance(Duration.ofDays(1));
        }

        List<JsonNode> after = HARNESS.graph.subscriptions().subscriptions(upn);
        assertEquals(1, after.size(), "the old one deleted: " + after);
        assertEquals("https://connector.contoso.com/api/graph/notifications", after.get(0).path("notificationUrl").asText());
        assertEquals("https://connector.contoso.com/api/graph/lifecycle", after.get(0).path("lifecycleNotificationUrl").asText());
        assertNotEquals(before.path("id").asText(), after.get(0).path("id").asText());
    }

    @ParameterizedTest
    @EnumSource(NationalCloud.class)
    void whenEventsAreCreatedAndCancelledThenTheCalendarFeedHasEachChangeOnce(NationalCloud cloud) {
        Synced user = connect(cloud);
        String eventId = createEvent(user, "Interview");
        drain();
        HARNESS.graph.subscriptions().duplicateNext();
        assertEquals(200, HARNESS.cancelEvent(user.connectionId, eventId, null).getStatusCode());
        drain();

        List<String> calendar = describe(changes(user)).stream().filter(c -> !c.contains("mail")).toList();
        assertTrue(calendar.contains("created:Interview"), calendar.toString());
        assertTrue(calendar.contains("deleted:"), calendar.toString());
        assertNoDuplicates(user);
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "USGOV", "USGOVDOD"})
    void whenTheReceiverIsDownForHalfAnHourThenGraphsRetriesBringEveryChangeOnce(NationalCloud cloud) {
        Synced user = connect(cloud);
        syncNow(user);
        RECEIVER_UP.set(false);
        try {
            HARNESS.graph.mail().deliverText(user.upn, "one");
            HARNESS.graph.mail().deliverText(user.upn, "two");
            for (int minute = 0; minute < 30; minute++) {
                HARNESS.clock.advance(Duration.ofMinutes(1));
                HARNESS.graph.subscriptions().deliverDue();
            }
            assertTrue(pending().isEmpty(), "nothing reached the connector while it was down");
        } finally {
            RECEIVER_UP.set(true);
        }
        HARNESS.clock.advance(Duration.ofMinutes(35));
        HARNESS.graph.subscriptions().deliverDue();
        drain();

        assertEquals(List.of("created:one", "created:two"), describe(changes(user)).stream().sorted().toList());
        assertNoDuplicates(user);
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "USGOV", "USGOVDOD"})
    void whenGraphDropsTheNotificationsOrTheSubscriptionThenTheTimerStillBringsTheChangeWithinTheHour(NationalCloud cloud) {
        Synced user = connect(cloud);
        syncNow(user);
        for (JsonNode subscription : HARNESS.graph.subscriptions().subscriptions(user.upn)) {
            HARNESS.graph.subscriptions().deleteSubscriptionSilently(subscription.path("id").asText());
        }
        HARNESS.graph.mail().deliverText(user.upn, "while nobody listens");
        drain();
        assertTrue(describe(changes(user)).isEmpty(), "no notification, no run yet");

        HARNESS.clock.advance(Duration.ofMinutes(61));
        tick();

        assertEquals(List.of("created:while nobody listens"), describe(changes(user)));
        assertEquals(2, HARNESS.graph.subscriptions().subscriptions(user.upn).size(), "the renewal found them gone and made new ones");
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "USGOV", "USGOVDOD"})
    void whenGraphLosesTheDeltaStateThenTheFullResyncAddsNoDuplicatesAndFindsWhatWasDeletedMeanwhile(NationalCloud cloud) {
        Synced user = connect(cloud);
        String kept = HARNESS.graph.mail().deliverText(user.upn, "kept");
        String gone = HARNESS.graph.mail().deliverText(user.upn, "gone");
        syncNow(user);
        for (FakeDelta.SyncStateLoss loss : FakeDelta.SyncStateLoss.values()) {
            HARNESS.graph.delta().setSyncStateLoss(loss);
            HARNESS.graph.delta().expireSyncState(user.upn);
            syncNow(user);
        }
        RECEIVER_UP.set(false); // changes while the state is lost again: only the resync can find them
        try {
            HARNESS.graph.delta().expireSyncState(user.upn);
            HARNESS.graph.mail().hardDelete(user.upn, gone);
            HARNESS.graph.mail().deliverText(user.upn, "new");
        } finally {
            RECEIVER_UP.set(true);
        }
        syncNow(user);

        List<String> feed = describe(changes(user));
        assertEquals(List.of("created:gone", "created:kept", "created:new", "deleted:"), feed.stream().sorted().toList());
        assertTrue(feed.indexOf("deleted:") > feed.indexOf("created:gone"), "the deletion after the creation: " + feed);
        assertTrue(!kept.isEmpty());
        assertNoDuplicates(user);
    }

    /**
     * A full resync takes every indexed item its pages did not show for deleted. An answer that is not a delta page (an
     * empty 200, a page without its next or delta link) must therefore never reach it: it is retried like an answer that
     * broke off, and the resync goes on from Graph's real pages.
     */
    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "USGOVDOD"})
    void whenAFullResyncGetsAnAnswerThatIsNotADeltaPageThenNothingIsTakenForDeleted(NationalCloud cloud) {
        Synced user = connect(cloud);
        HARNESS.graph.mail().deliverText(user.upn, "kept a");
        HARNESS.graph.mail().deliverText(user.upn, "kept b");
        syncNow(user);
        for (String notAPage : List.of("{\"value\":[]}", "", "{\"value\":[{\"subject\":\"no id\"}],\"@odata.deltaLink\":\"https://x/y\"}")) {
            HARNESS.graph.delta().expireSyncState(user.upn);
            // the first request follows the stored delta link (410: the state is gone), the second is the resync's first page
            HARNESS.graph.answerAfter(1, "GET", "/(me|users/[^/]+)/mailFolders/[^/]+/messages/delta.*", 200, notAPage);
            syncNow(user);
        }

        List<String> feed = describe(changes(user));
        assertEquals(List.of("created:kept a", "created:kept b"), feed.stream().sorted().toList(), "nothing deleted: " + feed);
        assertNoDuplicates(user);
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "USGOV", "USGOVDOD"})
    void whenAPageIsReplayedOrNotificationsComeTwiceAndOutOfOrderThenTheFeedHasEachChangeOnce(NationalCloud cloud) {
        Synced user = connect(cloud);
        syncNow(user);
        HARNESS.graph.subscriptions().holdNotifications();
        HARNESS.graph.mail().deliverText(user.upn, "a");
        HARNESS.graph.mail().deliverText(user.upn, "b");
        HARNESS.graph.subscriptions().duplicateNext();
        HARNESS.graph.mail().deliverText(user.upn, "c");
        HARNESS.graph.subscriptions().releaseInReverse();
        HARNESS.graph.delta().replayNextDeltaPage(user.upn);
        drain();
        syncNow(user);

        assertEquals(Set.of("created:a", "created:b", "created:c"), new HashSet<>(describe(changes(user))));
        assertNoDuplicates(user);
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "USGOVDOD"})
    void whenGraphGivesUpAfterFourHoursThenItsMissedEventResyncsAndTheChangeIsStillThere(NationalCloud cloud) {
        Synced user = connect(cloud);
        syncNow(user);
        RECEIVER_UP.set(false);
        try {
            HARNESS.graph.mail().deliverText(user.upn, "during the long outage");
            for (int minutes = 0; minutes < 4 * 60 + 5; minutes += 5) {
                HARNESS.clock.advance(Duration.ofMinutes(5));
                HARNESS.graph.subscriptions().deliverDue();
            }
        } finally {
            RECEIVER_UP.set(true);
        }
        HARNESS.clock.advance(Duration.ofMinutes(2)); // Graph retries the missed event, which also met the outage
        HARNESS.graph.subscriptions().deliverDue();
        drain();

        assertEquals(List.of("created:during the long outage"), describe(changes(user)));
        assertTrue(HARNESS.graph.subscriptions().deliveries().stream().anyMatch(d -> d.body().contains("\"missed\"")),
                "Graph sent missed after dropping the notification");
    }

    @Test
    void whenGraphAsksForReauthorizationWhileTheDeltaKeepsFailingThenTheSubscriptionIsRenewedAnyway() {
        Synced user = connect(NationalCloud.GLOBAL);
        syncNow(user);
        JsonNode before = HARNESS.graph.subscriptions().subscriptions(user.upn).stream()
                .filter(s -> s.path("resource").asText().contains("messages")).findFirst().orElseThrow();
        HARNESS.clock.advance(Duration.ofHours(2));
        for (int i = 0; i < 20; i++) { // Graph's message delta unavailable through every retry of the run
            HARNESS.graph.failNext("GET", ".*/messages/delta.*", 503, "ServiceUnavailable", "Try again later.", null, false);
        }

        assertTrue(HARNESS.graph.subscriptions().sendLifecycle(before.path("id").asText(), "reauthorizationRequired"));
        assertThrows(RuntimeException.class, SyncTest::drainOnce, "the run fails: the delta is unavailable");

        JsonNode after = subscription(user, before);
        // Graph pauses delivery until it is reauthorized (change-notifications-lifecycle-events): not left to the renewal a day ahead
        assertTrue(after.path("expirationDateTime").asText().compareTo(before.path("expirationDateTime").asText()) > 0,
                "renewed although the delta failed: " + before.path("expirationDateTime") + " -> " + after.path("expirationDateTime"));
        HARNESS.graph.clearFaults();
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "USGOV"})
    void whenGraphAsksForReauthorizationThenTheSubscriptionIsRenewed(NationalCloud cloud) {
        Synced user = connect(cloud);
        syncNow(user);
        JsonNode before = HARNESS.graph.subscriptions().subscriptions(user.upn).get(0);
        HARNESS.clock.advance(Duration.ofHours(2));

        assertTrue(HARNESS.graph.subscriptions().sendLifecycle(before.path("id").asText(), "reauthorizationRequired"));
        drain();

        JsonNode after = HARNESS.graph.subscriptions().subscriptions(user.upn).stream()
                .filter(s -> s.path("id").asText().equals(before.path("id").asText())).findFirst().orElseThrow();
        assertTrue(after.path("expirationDateTime").asText().compareTo(before.path("expirationDateTime").asText()) > 0,
                "renewed (which reauthorizes): " + before.path("expirationDateTime") + " -> " + after.path("expirationDateTime"));
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "USGOV"})
    void whenAMessageIsMovedOutAndBackBetweenTwoRunsThenTheFeedDoesNotSayItWasDeletedButAMoveOutStillIs(NationalCloud cloud) {
        Synced user = connect(cloud);
        String id = HARNESS.graph.mail().deliverText(user.upn, "deleted, then undone");
        syncNow(user);
        // both moves before the next run, as a delete undone within the 10 s debounce
        whileReceiverIsDown(() -> HARNESS.graph.mail().move(user.upn, HARNESS.graph.mail().move(user.upn, id, "deleteditems"), "inbox"));
        syncNow(user);

        List<String> feed = describe(changes(user));
        assertFalse(feed.contains("deleted:"), "Graph reports the message removed (immutable ids), but it is in the inbox: " + feed);

        int readsBefore = HARNESS.graph.requests("GET", "/me/messages/[^/]+").size();
        HARNESS.graph.mail().move(user.upn, HARNESS.graph.mail().messages(user.upn, "inbox").get(0).path("id").asText(), "archive");
        drain();
        assertEquals("deleted:", describe(changes(user)).get(describe(changes(user)).size() - 1), "moved out for good: deleted");
        assertEquals(1, HARNESS.graph.requests("GET", "/me/messages/[^/]+").size() - readsBefore, "one read for the removal");
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"USGOVDOD"})
    void whenManyMessagesAreDeletedAtOnceThenTheyAreReportedDeletedWithoutAReadEach(NationalCloud cloud) {
        Synced user = connect(cloud);
        List<String> ids = deliverMany(user, 25, "bulk ");
        syncNow(user);
        int readsBefore = HARNESS.graph.requests("GET", "/me/messages/[^/]+").size();
        whileReceiverIsDown(() -> ids.forEach(id -> HARNESS.graph.mail().hardDelete(user.upn, id)));
        syncNow(user);

        assertEquals(25, describe(changes(user)).stream().filter(c -> c.equals("deleted:")).count());
        assertEquals(readsBefore, HARNESS.graph.requests("GET", "/me/messages/[^/]+").size(),
                "a page of more than 20 removals is a bulk delete: not read one by one (the mailbox's request limit)");
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "USGOV"})
    void whenABulkDeleteIsUndoneBetweenTwoRunsThenNothingIsReportedDeletedAndTheFolderIsListedOnceInsteadOfReadEach(NationalCloud cloud) {
        Synced user = connect(cloud);
        List<String> ids = deliverMany(user, 25, "bulk ");
        syncNow(user);
        int readsBefore = HARNESS.graph.requests("GET", "/me/messages/[^/]+").size();
        int listingsBefore = HARNESS.graph.requests("GET", "/me/mailFolders/inbox/messages").size();
        // 25 moved to Deleted Items and back (Undo) before the next run
        whileReceiverIsDown(() -> ids.forEach(id -> HARNESS.graph.mail().move(user.upn, HARNESS.graph.mail().move(user.upn, id, "deleteditems"), "inbox")));
        syncNow(user);

        List<String> feed = describe(changes(user));
        assertFalse(feed.contains("deleted:"), "Graph reports the 25 removed (immutable ids), but they are in the inbox: " + feed);
        assertEquals(25, feed.stream().filter(c -> c.startsWith("updated:")).count(), "each back with a new changeKey (moved twice): " + feed);
        assertEquals(readsBefore, HARNESS.graph.requests("GET", "/me/messages/[^/]+").size(), "not read one by one");
        assertEquals(1, HARNESS.graph.requests("GET", "/me/mailFolders/inbox/messages").size() - listingsBefore, "the inbox listed once");

        whileReceiverIsDown(() -> HARNESS.graph.mail().messages(user.upn, "inbox").forEach(m -> HARNESS.graph.mail().hardDelete(user.upn, m.path("id").asText())));
        syncNow(user);
        assertEquals(25, describe(changes(user)).stream().filter(c -> c.equals("deleted:")).count(), "deleted for good: reported");
    }

    @Test
    void whenTheFolderListingTakesLongerThanTheFeedsLeaseThenTheLeaseIsRenewedPerListingRequestAndTheUndoneDeleteIsNoDeletion() {
        Synced user = connect(NationalCloud.GLOBAL);
        List<String> ids = new ArrayList<>();
        // two listing requests of 500
        whileReceiverIsDown(() -> ids.addAll(deliverMany(user, 525, "many ")));
        syncNow(user);
        whileReceiverIsDown(() -> ids.subList(0, 25).forEach(id -> HARNESS.graph.mail().move(user.upn, HARNESS.graph.mail().move(user.upn, id, "deleteditems"), "inbox")));
        String listing = "/me/mailFolders(/inbox|\\('[^']+'\\))/messages"; // the first request, then Graph's next link
        int listingsBefore = HARNESS.graph.requests("GET", listing).size();
        for (int i = 0; i < 2; i++) { // each listing request takes 3 minutes: 6 in all, more than the feed's 5-minute lease
            HARNESS.graph.beforeNext("GET", listing, () -> HARNESS.clock.advance(Duration.ofMinutes(3)));
        }
        syncNow(user);

        assertEquals(2, HARNESS.graph.requests("GET", listing).size() - listingsBefore);
        List<String> feed = describe(changes(user));
        assertFalse(feed.contains("deleted:"), "the 25 are in the inbox");
        assertEquals(25, feed.stream().filter(c -> c.startsWith("updated:")).count(), "the run appended after the long listing");
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "USGOVDOD"})
    void whenMailArrivesWhileTheSubscriptionIsBeingMadeThenTheRunAfterItFindsItWithoutWaitingForTheTimer(NationalCloud cloud) {
        ConnectorHarness.Connected c = HARNESS.connect(cloud, "\"mail_read\"");
        CONNECTED.add(c.connectionId());
        String upn = c.user().userPrincipalName();
        HARNESS.graph.mail().addMailbox(upn);
        // after the first run read the delta, before Graph has the subscription: no notification for this mail
        HARNESS.graph.beforeNext("POST", "/subscriptions", () -> HARNESS.graph.mail().deliverText(upn, "while subscribing"));
        drain();

        assertEquals(List.of("created:while subscribing"), describe(changes(new Synced(c.connectionId(), upn))));
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"USGOVDOD"})
    void whenAReauthorizationRequestIsHandledAfterALaterRunThenTheSubscriptionIsStillRenewed(NationalCloud cloud) {
        Synced user = connect(cloud);
        syncNow(user);
        JsonNode before = HARNESS.graph.subscriptions().subscriptions(user.upn).get(0);
        HARNESS.clock.advance(Duration.ofHours(2));
        assertTrue(HARNESS.graph.subscriptions().sendLifecycle(before.path("id").asText(), "reauthorizationRequired"));
        List<String> lifecycle = HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible(); // held back, as a busy feed would

        HARNESS.clock.advance(Duration.ofMinutes(1));
        syncNow(user); // a run that started after the event was sent, which renews nothing
        assertEquals(before.path("expirationDateTime").asText(), subscription(user, before).path("expirationDateTime").asText());
        lifecycle.forEach(message -> HARNESS.sync.syncWorker(message, new FakeExecutionContext("syncWorker")));

        assertTrue(subscription(user, before).path("expirationDateTime").asText().compareTo(before.path("expirationDateTime").asText()) > 0,
                "the lifecycle event is not covered by the later run: only it renews (which reauthorizes)");
    }

    /** Where a subscription request fails: the renewal a day before expiry, the timer's check that Graph still has it, a reauthorization. */
    enum SubscriptionStep {
        RENEWAL, CHECK, REAUTHORIZATION
    }

    /** How it fails, on each of the attempts the connector makes ({@code GraphRetry}: 3). */
    enum SubscriptionFault {
        UNAVAILABLE_503, THROTTLED_429, CONNECTION_RESET, RESET_AFTER_GRAPH_ACTED;

        /** On requests for these subscriptions only: the timer also checks other tests' connections. */
        void inject(String method, List<JsonNode> subscriptions) {
            String path = "/subscriptions/(" + String.join("|", ids(subscriptions)) + ")";
            for (int attempt = 0; attempt < 3; attempt++) {
                switch (this) {
                    case UNAVAILABLE_503 -> HARNESS.graph.failNext(method, path, 503, "ServiceUnavailable", "Service is unavailable.", null, false);
                    case THROTTLED_429 -> HARNESS.graph.failNext(method, path, 429, "TooManyRequests", "Too many requests.", 1, false);
                    case CONNECTION_RESET -> HARNESS.graph.dropNext(method, path, false);
                    case RESET_AFTER_GRAPH_ACTED -> HARNESS.graph.dropNext(method, path, true);
                }
            }
        }
    }

    static Stream<Arguments> subscriptionFailures() {
        List<Arguments> cells = new ArrayList<>();
        NationalCloud[] clouds = {NationalCloud.GLOBAL, NationalCloud.USGOV, NationalCloud.USGOVDOD};
        for (SubscriptionStep step : SubscriptionStep.values()) {
            for (SubscriptionFault fault : SubscriptionFault.values()) {
                cells.add(Arguments.of(step, fault, clouds[cells.size() % clouds.length]));
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{0} x {1} in {2}")
    @MethodSource("subscriptionFailures")
    void whenASubscriptionRequestFailsOnEveryAttemptThenTheLiveSubscriptionIsKeptAndTheNextRunRenewsIt(SubscriptionStep step,
                                                                                                      SubscriptionFault fault, NationalCloud cloud) {
        Synced user = connect(cloud);
        syncNow(user);
        List<JsonNode> before = HARNESS.graph.subscriptions().subscriptions(user.upn);
        switch (step) {
            case RENEWAL -> {
                HARNESS.clock.advance(Duration.ofMinutes(4_200).minus(Duration.ofHours(12))); // within a day of expiry: renewals are due
                fault.inject("PATCH", before);
                tick();
            }
            case CHECK -> {
                HARNESS.clock.advance(Duration.ofMinutes(61));
                fault.inject("GET", before);
                tick();
            }
            case REAUTHORIZATION -> {
                HARNESS.clock.advance(Duration.ofHours(2));
                fault.inject("PATCH", before);
                assertTrue(HARNESS.graph.subscriptions().sendLifecycle(before.get(0).path("id").asText(), "reauthorizationRequired"));
                drain();
            }
        }
        HARNESS.graph.clearFaults(); // the attempts the connector did not make are not the next run's
        HARNESS.clock.advance(Duration.ofMinutes(61));
        tick(); // the next run, days before a renewal would be due by the clock

        List<JsonNode> after = HARNESS.graph.subscriptions().subscriptions(user.upn);
        assertEquals(ids(before), ids(after), "the same subscriptions, none made beside a live one");
        List<JsonNode> renewed = before.stream().filter(b -> subscription(user, b).path("expirationDateTime").asText()
                .compareTo(b.path("expirationDateTime").asText()) > 0).toList();
        switch (step) {
            case RENEWAL -> assertEquals(ids(before), ids(renewed), "both due and renewed");
            case CHECK -> assertFalse(renewed.isEmpty(), "the one whose check failed is renewed by the next run");
            case REAUTHORIZATION -> assertTrue(renewed.contains(before.get(0)), "renewed (which reauthorizes) by the next run");
        }
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "USGOV"})
    void whenTheDeltaDoesNotShowANotifiedChangeYetThenOneMoreRunAMinuteLaterFindsItWithoutWaitingForTheTimer(NationalCloud cloud) {
        Synced user = connect(cloud);
        syncNow(user);
        HARNESS.graph.delta().setProcessingDelay(user.upn, true); // Graph notifies at once; its delta shows the mail later
        HARNESS.graph.mail().deliverText(user.upn, "slow to reach the delta");
        HARNESS.clock.advance(Duration.ofSeconds(10));
        drainOnce(); // the notification's request
        HARNESS.clock.advance(Duration.ofSeconds(10));
        drainOnce(); // the scheduled run: nothing new in the delta yet
        assertTrue(describe(changes(user)).stream().noneMatch(c -> c.contains("slow to reach")), describe(changes(user)).toString());
        int deltaBefore = deltaCalls();

        HARNESS.graph.delta().setProcessingDelay(user.upn, false);
        drain(); // no timer tick: only what the connector queued itself

        assertTrue(describe(changes(user)).contains("created:slow to reach the delta"), describe(changes(user)).toString());
        assertEquals(1, deltaCalls() - deltaBefore, "one more run, once");
        assertNoDuplicates(user);
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"USGOVDOD"})
    void whenASubscriptionRemovedEventArrivesAfterANewSubscriptionWasMadeThenTheNewOneIsKept(NationalCloud cloud) {
        Synced user = connect(cloud);
        syncNow(user);
        JsonNode removed = HARNESS.graph.subscriptions().subscriptions(user.upn).get(0);
        assertTrue(HARNESS.graph.subscriptions().sendLifecycle(removed.path("id").asText(), "subscriptionRemoved")); // Graph removes it
        List<String> late = HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible(); // held back, as a busy feed would
        HARNESS.clock.advance(Duration.ofMinutes(61));
        tick(); // the timer's check finds it gone and makes a new one
        List<String> renewed = ids(HARNESS.graph.subscriptions().subscriptions(user.upn));

        late.forEach(message -> HARNESS.sync.syncWorker(message, new FakeExecutionContext("syncWorker")));
        drain();
        HARNESS.clock.advance(Duration.ofMinutes(61));
        tick();

        assertEquals(renewed, ids(HARNESS.graph.subscriptions().subscriptions(user.upn)),
                "the late event named the old subscription: the new one is kept, not forgotten and made a third time");
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "USGOV"})
    void whenThePasswordIsResetThenTheRemovedSubscriptionsAreMadeAgainAndTheResourceResynced(NationalCloud cloud) {
        Synced user = connect(cloud);
        syncNow(user);
        List<String> before = ids(HARNESS.graph.subscriptions().subscriptions(user.upn));

        assertEquals(2, HARNESS.graph.subscriptions().passwordReset(user.upn));
        HARNESS.graph.mail().deliverText(user.upn, "after the reset");
        drain();

        List<String> after = ids(HARNESS.graph.subscriptions().subscriptions(user.upn));
        assertEquals(2, after.size(), "new subscriptions: " + after);
        assertTrue(after.stream().noneMatch(before::contains));
        assertEquals(List.of("created:after the reset"), describe(changes(user)));
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL"})
    void whenABurstOfNotificationsArrivesThenAFewRunsHandleItAndTheFeedHasNoDuplicates(NationalCloud cloud) {
        Synced user = connect(cloud);
        syncNow(user);
        for (int i = 0; i < 20; i++) {
            HARNESS.graph.mail().deliverText(user.upn, "burst " + i); // each notified: a queued request each
        }
        int deltaCallsBefore = deltaCalls();

        drain();

        assertEquals(20, changes(user).size());
        assertTrue(deltaCallsBefore >= 0 && deltaCalls() - deltaCallsBefore <= 20, "runs: " + (deltaCalls() - deltaCallsBefore));
        assertNoDuplicates(user);
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"USGOVDOD"})
    void whenFiveThousandNotificationsArriveInABurstThenAFewRunsCoverThemTheQueueEmptiesAndTheFeedHasNoDuplicates(NationalCloud cloud) {
        Synced user = connect(cloud);
        syncNow(user);
        for (int i = 0; i < 10; i++) {
            HARNESS.graph.mail().deliverText(user.upn, "burst " + i);
        }
        JsonNode inbox = HARNESS.graph.subscriptions().subscriptions(user.upn).stream()
                .filter(s -> s.path("resource").asText().contains("essages")).findFirst().orElseThrow();
        String notification = "{\"value\":[{\"subscriptionId\":\"" + inbox.path("id").asText() + "\",\"clientState\":\""
                + inbox.path("clientState").asText() + "\",\"changeType\":\"created\",\"resource\":\"Users/x/Messages/y\"}]}";
        int runsBefore = deltaCalls();
        int mostQueued = 0;

        for (int chunk = 0; chunk < 10; chunk++) { // 5,000 notifications, 500 a second, the worker running meanwhile
            for (int i = 0; i < 500; i++) {
                HARNESS.graphNotifications.notifications(FakeHttpRequest.post(
                        "https://" + ConnectorHarness.FUNCTION_HOST + "/api/graph/notifications", notification),
                        new FakeExecutionContext("graphNotifications"));
            }
            mostQueued = Math.max(mostQueued, HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).size());
            HARNESS.clock.advance(Duration.ofSeconds(1));
            drainOnce();
        }
        HARNESS.clock.advance(Duration.ofSeconds(10));
        drain();

        assertEquals(10, describe(changes(user)).stream().filter(c -> c.startsWith("created:burst")).count());
        assertNoDuplicates(user);
        int runs = deltaCalls() - runsBefore;
        assertTrue(runs <= 10, "a few runs for 5,000 notifications, not thousands: " + runs);
        assertTrue(mostQueued <= 5_000, "the queue holds at most the burst itself: " + mostQueued);
        assertEquals(0, HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).size());
    }

    /**
     * The web app disconnects while a run reads the delta: the disconnect's clean-up has run by the time the run writes.
     * The run finds the connection disconnected before it goes on (before its subscription is made, its changes pushed):
     * what it wrote goes too, and Graph is left with no subscription that would deliver for days.
     */
    @Test
    void whenTheConnectionIsDisconnectedDuringARunThenTheRunLeavesNothingBehindAndMakesNoSubscription() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        CONNECTED.add(c.connectionId());
        String upn = c.user().userPrincipalName();
        HARNESS.graph.mail().addMailbox(upn);
        HARNESS.graph.mail().deliverText(upn, "read during the disconnect");
        List<String> firstRun = HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible();
        OnceAtRequest disconnectedMidRun = new OnceAtRequest(HARNESS.routing, KillSwitch.When.BEFORE_SENDING, "GET", ".*/delta.*",
                () -> assertEquals(200, HARNESS.deleteConnection(c.connectionId()).getStatusCode()));
        SyncFunctions running = HARNESS.newInstance(disconnectedMidRun, new ClockSleeper(HARNESS.clock)).context().newFunction(SyncFunctions.class);

        firstRun.forEach(message -> running.syncWorker(message, new FakeExecutionContext("syncWorker")));
        drain();

        assertTrue(disconnectedMidRun.happened());
        assertEquals(List.of(), ids(HARNESS.graph.subscriptions().subscriptions(upn)), "no subscription made after the disconnect");
        TableClient states = tables().getTableClient(HARNESS.tables.syncState());
        assertEquals(List.of(), states.listEntities(new ListEntitiesOptions().setFilter("PartitionKey eq '" + c.connectionId()
                + "' and RowKey ne '_feed'"), null, null).stream().map(TableEntity::getRowKey).toList(), "no sync state left");
        TableClient items = tables().getTableClient(HARNESS.tables.syncItems());
        assertEquals(0, items.listEntities(new ListEntitiesOptions().setFilter("PartitionKey ge '" + c.connectionId()
                + "' and PartitionKey lt '" + c.connectionId() + "~'"), null, null).stream().count(), "no item index left");
    }

    /**
     * The disconnect comes after the run's last write (the delta read, the state saved), just before it makes the
     * subscription: the run looks at the connection again there, finds it disconnected, and makes none.
     */
    @Test
    void whenTheConnectionIsDisconnectedAfterARunsLastWriteThenNoSubscriptionIsMadeAndNothingStays() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        CONNECTED.add(c.connectionId());
        String upn = c.user().userPrincipalName();
        HARNESS.graph.mail().addMailbox(upn);
        List<String> firstRun = HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible();
        AtomicBoolean deltaRead = new AtomicBoolean();
        AtomicBoolean disconnected = new AtomicBoolean();
        HostRouting afterTheRun = builder -> {
            builder.addInterceptor(chain -> {
                String path = chain.request().url().encodedPath();
                if (path.contains("/delta")) {
                    deltaRead.set(true);
                } else if (deltaRead.get() && chain.request().method().equals("GET") && path.contains(HARNESS.tables.connections())
                        && disconnected.compareAndSet(false, true)) {
                    assertEquals(200, HARNESS.deleteConnection(c.connectionId()).getStatusCode());
                }
                return chain.proceed(chain.request());
            });
            HARNESS.routing.applyTo(builder);
        };
        SyncFunctions running = HARNESS.newInstance(afterTheRun, new ClockSleeper(HARNESS.clock)).context().newFunction(SyncFunctions.class);

        firstRun.forEach(message -> running.syncWorker(message, new FakeExecutionContext("syncWorker")));
        drain();

        assertTrue(disconnected.get(), "the run read the connection after the delta");
        assertEquals(List.of(), ids(HARNESS.graph.subscriptions().subscriptions(upn)), "no subscription made after the disconnect");
        assertEquals(List.of(), tables().getTableClient(HARNESS.tables.syncState()).listEntities(new ListEntitiesOptions().setFilter(
                "PartitionKey eq '" + c.connectionId() + "' and RowKey ne '_feed'"), null, null).stream().map(TableEntity::getRowKey).toList());
    }

    /**
     * A disconnect deletes the subscriptions at Graph while the token works; a connection that has none (never synced, or
     * its cloud sends no notifications) needs no token for that: no refresh at Entra, whose refusal would have announced
     * needs_reauth just before the disconnect.
     */
    @Test
    void whenAConnectionWithoutASubscriptionIsDisconnectedThenNoTokenIsRequested() {
        HARNESS.entra.setAccessTokenLifetime(Duration.ofMinutes(2)); // within MSAL's 5-minute buffer: any use of it refreshes
        try {
            ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
            HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible(); // its first run never happens: no subscription
            int tokenRequests = HARNESS.entra.tokenRequests().size();

            assertEquals(200, HARNESS.deleteConnection(c.connectionId()).getStatusCode());

            assertEquals(tokenRequests, HARNESS.entra.tokenRequests().size(), "no refresh for a subscription there is not");
        } finally {
            HARNESS.entra.setAccessTokenLifetime(Duration.ofHours(1));
        }
    }

    /**
     * A run whose refresh Entra refuses (the grant revoked) leaves the connection needs_reauth and its sync state as it
     * was: the user's reconnect resumes from the delta link, reporting what changed meanwhile (deletions too), not every
     * item again. (A disconnect is what forgets it.)
     */
    @Test
    void whenARunFindsTheGrantRevokedThenTheConnectionNeedsReauthAndKeepsItsSyncState() {
        HARNESS.entra.setAccessTokenLifetime(Duration.ofMinutes(2)); // within MSAL's 5-minute buffer: the run refreshes
        try {
            ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
            CONNECTED.add(c.connectionId());
            HARNESS.graph.mail().addMailbox(c.user().userPrincipalName());
            HARNESS.graph.mail().deliverText(c.user().userPrincipalName(), "indexed before");
            drain();
            TableClient states = tables().getTableClient(HARNESS.tables.syncState());
            String stateOf = "PartitionKey eq '" + c.connectionId() + "' and RowKey ne '_feed'";
            List<String> before = states.listEntities(new ListEntitiesOptions().setFilter(stateOf), null, null).stream()
                    .map(TableEntity::getRowKey).sorted().toList();
            assertFalse(before.isEmpty());
            HARNESS.entra.revokeRefreshTokens(c.user());

            try {
                HARNESS.sync.syncWorker(new SyncRequest(c.connectionId(), SyncResource.INBOX, "timer", HARNESS.clock.instant()).toJson(),
                        new FakeExecutionContext("syncWorker"));
            } catch (RuntimeException refused) {
                // the queue's retry would follow; the state is what matters here
            }

            assertEquals("needs_reauth", ConnectorHarness.json(HARNESS.getConnection(c.connectionId()).bodyText()).path("status").asText());
            assertEquals(before, states.listEntities(new ListEntitiesOptions().setFilter(stateOf), null, null).stream()
                    .map(TableEntity::getRowKey).sorted().toList(), "the sync state stays, to resume from");
        } finally {
            HARNESS.entra.setAccessTokenLifetime(Duration.ofHours(1));
        }
    }

    private static TableServiceClient tables() {
        return new TableServiceClientBuilder().connectionString(Azurite.shared().connectionString()).buildClient();
    }

    @Test
    void whenANotificationIsScheduledWhileARunIsGoingThenTheRunCompletesAndTheStatusStaysSyncing() {
        // Queue triggers run messages side by side: a notification's worker marks the next run in the state row a run is writing.
        Synced user = connect(NationalCloud.GLOBAL);
        syncNow(user);
        HARNESS.graph.mail().deliverText(user.upn, "during a run");
        String notification = new SyncRequest(user.connectionId, SyncResource.INBOX, "notification", HARNESS.clock.instant()).toJson();
        OnceAtRequest notifiedMidRun = new OnceAtRequest(HARNESS.routing, KillSwitch.When.BEFORE_SENDING, "GET", ".*/delta.*",
                () -> HARNESS.sync.syncWorker(notification, new FakeExecutionContext("syncWorker"))); // another worker, meanwhile
        SyncFunctions running = HARNESS.newInstance(notifiedMidRun, new ClockSleeper(HARNESS.clock)).context().newFunction(SyncFunctions.class);
        HARNESS.clock.advance(Duration.ofSeconds(10));

        running.syncWorker(new SyncRequest(user.connectionId, SyncResource.INBOX, "timer", HARNESS.clock.instant()).toJson(),
                new FakeExecutionContext("syncWorker"));

        assertTrue(notifiedMidRun.happened(), "the notification came while the run read the delta");
        assertTrue(describe(changes(user)).contains("created:during a run"), describe(changes(user)).toString());
        JsonNode inbox = ConnectorHarness.json(HARNESS.getConnection(user.connectionId).bodyText()).path("sync").path(0);
        assertEquals("syncing", inbox.path("state").asText(), inbox.toString());
        drain(); // the run the notification scheduled finds nothing new
        assertNoDuplicates(user);
    }

    @Test
    void whenQueueingTheScheduledRunFailsThenTheNotificationsRetrySchedulesItInsteadOfCountingAsCovered() {
        Synced user = connect(NationalCloud.GLOBAL);
        syncNow(user);
        HARNESS.graph.mail().deliverText(user.upn, "notified while the queue failed");
        String notification = new SyncRequest(user.connectionId, SyncResource.INBOX, "notification", HARNESS.clock.instant()).toJson();
        HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).failNextSends(1);
        try {
            HARNESS.sync.syncWorker(notification, new FakeExecutionContext("syncWorker"));
        } catch (RuntimeException failed) {
            // the queue delivers the notification's request again
        }

        HARNESS.sync.syncWorker(notification, new FakeExecutionContext("syncWorker"));
        drain();

        assertEquals(List.of("created:notified while the queue failed"), describe(changes(user)).stream()
                .filter(c -> c.contains("queue failed")).toList(), "scheduled by the retry, not left to the hourly timer");
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "CHINA"})
    void whenTheConnectionIsDisconnectedThenItsSubscriptionsAreGoneAtGraph(NationalCloud cloud) {
        Synced user = connect(cloud);
        syncNow(user);
        assertFalse(HARNESS.graph.subscriptions().subscriptions(user.upn).isEmpty());

        assertEquals(200, HARNESS.deleteConnection(user.connectionId).getStatusCode());

        assertTrue(HARNESS.graph.subscriptions().subscriptions(user.upn).isEmpty());
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "USGOVDOD", "CHINA"})
    void whenTheWebAppCreatesAnEventThenTheFeedNamesItByTheIdTheCreateAnsweredAndAReadOnlyConnectionReadsIt(NationalCloud cloud) {
        Synced user = connect(cloud);
        String eventId = createEvent(user, "Interview");
        drain();

        JsonNode change = changes(user).stream().filter(c -> c.path("resource").asText().equals("calendar")).findFirst().orElseThrow();
        assertEquals(eventId, change.path("itemId").asText(), "the create's id is the feed's (immutable ids both)");
        FakeHttpResponse moved = HARNESS.updateEvent(user.connectionId, eventId, null, "{\"subject\":\"Interview (moved)\"}");
        assertEquals(eventId, ConnectorHarness.json(moved.bodyText()).path("eventId").asText(), "an update answers the same id");

        ConnectorHarness.Connected reader = HARNESS.connect(cloud, "\"calendar_read\"");
        CONNECTED.add(reader.connectionId());
        String invitation = HARNESS.graph.addInvitation(reader.user().userPrincipalName(), ConnectorHarness.json("{\"subject\":\"Panel\","
                + "\"start\":{\"dateTime\":\"2027-03-01T10:00:00\",\"timeZone\":\"UTC\"},\"end\":{\"dateTime\":\"2027-03-01T11:00:00\","
                + "\"timeZone\":\"UTC\"}}"));
        FakeHttpResponse read = HARNESS.getEvent(reader.connectionId(), invitation, null);
        assertEquals(200, read.getStatusCode(), "calendar_read reads an event of its feed: " + read.bodyText());
        assertEquals(invitation, ConnectorHarness.json(read.bodyText()).path("eventId").asText());
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"CHINA"})
    void whenTheCloudHasNoMessageDeltaThenTheInboxIsNotSyncedAndTheCalendarIs(NationalCloud cloud) {
        Synced user = connect(cloud);
        HARNESS.graph.mail().deliverText(user.upn, "not synced here");
        createEvent(user, "synced here");
        drain();

        assertEquals(List.of("created:synced here"), describe(changes(user)));
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "USGOV", "USGOVDOD"})
    void whenTheUserSendsMailFromOutlookOrThroughTheConnectorThenSentItemsChangesReachTheFeedApartFromTheInbox(NationalCloud cloud) {
        ConnectorHarness.Connected c = HARNESS.connect(cloud, "\"mail\",\"mail_read\",\"sent_items_read\"");
        CONNECTED.add(c.connectionId());
        Synced user = new Synced(c.connectionId(), c.user().userPrincipalName());
        HARNESS.graph.mail().addMailbox(user.upn);
        String before = HARNESS.graph.mail().sendFromOutlook(user.upn, "candidate@fabrikam.com", "Sent before connecting");
        drain();
        assertEquals(List.of("me/mailFolders('inbox')/messages", "me/mailFolders('sentitems')/messages"), HARNESS.graph.subscriptions()
                .subscriptions(user.upn).stream().map(sub -> sub.path("resource").asText()).sorted().toList());

        HARNESS.graph.mail().deliverText(user.upn, "Your offer"); // notified: the inbox
        HARNESS.graph.mail().sendFromOutlook(user.upn, "candidate@fabrikam.com", "Re: Your offer"); // notified: Sent Items
        drain();
        FakeHttpResponse sent = HARNESS.sendMail(user.connectionId, "sent-items-" + cloud, "{\"to\":[\"candidate@fabrikam.com\"],"
                + "\"subject\":\"Interview on Tuesday\",\"body\":\"See you.\"}");
        assertEquals(202, sent.getStatusCode(), sent.bodyText());
        drain();
        HARNESS.graph.mail().move(user.upn, before, "deleteditems"); // gone from Sent Items: deleted
        drain();

        List<String> feed = changes(user).stream().map(ch -> ch.path("resource").asText() + " " + ch.path("type").asText() + ":"
                + ch.path("summary").path("subject").asText("")).toList();
        assertEquals(List.of("sentitems created:Sent before connecting", "inbox created:Your offer", "sentitems created:Re: Your offer",
                "sentitems created:Interview on Tuesday", "sentitems deleted:"), feed);
        JsonNode sentChange = changes(user).stream().filter(ch -> ch.path("summary").path("subject").asText().equals("Interview on Tuesday"))
                .findFirst().orElseThrow();
        assertEquals("[\"candidate@fabrikam.com\"]", sentChange.path("summary").path("to").toString(), "a sent mail's recipients");
        JsonNode sync = ConnectorHarness.json(HARNESS.getConnection(user.connectionId).bodyText()).path("sync");
        assertEquals(List.of("inbox syncing", "sentitems syncing"), StreamSupport.stream(sync.spliterator(), false)
                .map(r -> r.path("resource").asText() + " " + r.path("state").asText()).sorted().toList(), sync.toString());
        assertNoDuplicates(user);
    }

    @Test
    void whenASyncedConnectionIsReconnectedWithSentItemsThenSentItemsIsReadFromTheStartAndTheInboxGoesOnWhereItWas() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        CONNECTED.add(c.connectionId());
        Synced user = new Synced(c.connectionId(), c.user().userPrincipalName());
        HARNESS.graph.mail().addMailbox(user.upn);
        HARNESS.graph.mail().deliverText(user.upn, "Your offer");
        HARNESS.graph.mail().sendFromOutlook(user.upn, "candidate@fabrikam.com", "Sent while only the inbox was synced");
        drain();
        assertEquals(List.of("created:Your offer"), describe(changes(user)));

        HARNESS.entra.nextSignIn(c.user()); // the same account signs in again; Microsoft asks nothing new (Mail.Read is granted)
        HARNESS.browser().navigate(HARNESS.reconnect(user.connectionId, "\"sent_items_read\"").get("loginUrl").asText());
        drain();

        assertEquals(List.of("inbox created:Your offer", "sentitems created:Sent while only the inbox was synced"), changes(user).stream()
                .map(ch -> ch.path("resource").asText() + " " + ch.path("type").asText() + ":" + ch.path("summary").path("subject").asText(""))
                .toList(), "Sent Items' existing mail is reported once; the inbox is not read again from the start");
    }

    @Test
    void whenTheConnectionHasNoSentItemsFeatureThenItsSentMailIsNotInTheFeedAndSentItemsHasNoSubscription() {
        Synced user = connect(NationalCloud.GLOBAL);
        HARNESS.graph.mail().sendFromOutlook(user.upn, "candidate@fabrikam.com", "Not synced");
        HARNESS.graph.mail().deliverText(user.upn, "Synced");
        syncNow(user);

        assertEquals(List.of("created:Synced"), describe(changes(user)));
        assertTrue(HARNESS.graph.subscriptions().subscriptions(user.upn).stream()
                .noneMatch(sub -> sub.path("resource").asText().contains("sentitems")), "no Sent Items subscription");
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"CHINA"})
    void whenTheCloudHasNoMessageDeltaThenSentItemsIsNotSyncedAndSaysSo(NationalCloud cloud) {
        ConnectorHarness.Connected c = HARNESS.connect(cloud, "\"mail_read\",\"sent_items_read\"");
        CONNECTED.add(c.connectionId());
        Synced user = new Synced(c.connectionId(), c.user().userPrincipalName());
        HARNESS.graph.mail().addMailbox(user.upn);
        HARNESS.graph.mail().sendFromOutlook(user.upn, "candidate@fabrikam.com", "not synced here");
        drain();

        assertEquals(List.of(), changes(user));
        JsonNode sync = ConnectorHarness.json(HARNESS.getConnection(user.connectionId).bodyText()).path("sync");
        assertEquals(List.of("inbox not_supported_in_cloud", "sentitems not_supported_in_cloud"), StreamSupport.stream(sync.spliterator(), false)
                .map(r -> r.path("resource").asText() + " " + r.path("state").asText()).sorted().toList(), sync.toString());
    }

    // ---------------------------------------------------------------- helpers

    private record Synced(String connectionId, String upn) {
    }

    private static Synced connect(NationalCloud cloud) {
        ConnectorHarness.Connected c = HARNESS.connect(cloud, "\"mail_read\",\"calendar_read\",\"calendar\"");
        CONNECTED.add(c.connectionId());
        HARNESS.graph.mail().addMailbox(c.user().userPrincipalName());
        drain();
        return new Synced(c.connectionId(), c.user().userPrincipalName());
    }

    private static String createEvent(Synced user, String subject) {
        FakeHttpResponse created = HARNESS.createEvent(user.connectionId, null, "{\"subject\":\"" + subject + "\",\"start\":{\"dateTime\":"
                + "\"" + HARNESS.clock.instant().plus(Duration.ofDays(2)).toString().substring(0, 19) + "\",\"timeZone\":\"UTC\"},\"end\":"
                + "{\"dateTime\":\"" + HARNESS.clock.instant().plus(Duration.ofDays(2)).plus(Duration.ofHours(1)).toString().substring(0, 19)
                + "\",\"timeZone\":\"UTC\"}}");
        assertEquals(201, created.getStatusCode(), created.bodyText());
        return ConnectorHarness.json(created.bodyText()).path("eventId").asText();
    }

    /** Graph's notifications of what {@code changes} does go nowhere (the receiver answers 503), then the receiver is back. */
    private static void whileReceiverIsDown(Runnable changes) {
        RECEIVER_UP.set(false);
        try {
            changes.run();
        } finally {
            RECEIVER_UP.set(true);
        }
    }

    /** {@code count} plain mails delivered to the user's inbox, subjects {@code prefix} + their number; their ids. */
    private static List<String> deliverMany(Synced user, int count, String prefix) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(HARNESS.graph.mail().deliverText(user.upn, prefix + i));
        }
        return ids;
    }

    /** Asks for a run of both resources now and runs everything queued. */
    private static void syncNow(Synced user) {
        for (SyncResource resource : SyncResource.values()) {
            HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).send(new SyncRequest(user.connectionId, resource, "test",
                    HARNESS.clock.instant()).toJson(), Duration.ZERO);
        }
        HARNESS.clock.advance(Duration.ofSeconds(10));
        drain();
    }

    /** Runs the sync worker over every visible request until none is left (requests sent back while the feed was busy included). */
    private static void drain() {
        HARNESS.drainSyncQueue();
    }

    /** One pass of the worker over what is visible now. */
    private static void drainOnce() {
        for (String message : HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible()) {
            HARNESS.sync.syncWorker(message, new FakeExecutionContext("syncWorker"));
        }
    }

    private static void tick() {
        HARNESS.sync.syncTimer("{\"IsPastDue\":false}", new FakeExecutionContext("syncTimer"));
        drain();
    }

    private static List<String> pending() {
        return new ArrayList<>(HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible());
    }

    private static List<JsonNode> changes(Synced user) {
        return HARNESS.readFeed(user.connectionId);
    }

    /** "type:subject" of each change, inbox and calendar alike; deletions carry no subject. */
    private static List<String> describe(List<JsonNode> changes) {
        return changes.stream().map(c -> c.path("type").asText() + ":" + c.path("summary").path("subject").asText("")).toList();
    }

    private static void assertNoDuplicates(Synced user) {
        List<JsonNode> all = changes(user);
        assertEquals(all.size(), all.stream().map(c -> c.path("id").asText()).distinct().count(), "no change twice: " + describe(all));
    }

    private static List<String> ids(List<JsonNode> subscriptions) {
        return subscriptions.stream().map(s -> s.path("id").asText()).toList();
    }

    private static JsonNode subscription(Synced user, JsonNode subscription) {
        return HARNESS.graph.subscriptions().subscriptions(user.upn).stream()
                .filter(s -> s.path("id").asText().equals(subscription.path("id").asText())).findFirst().orElseThrow();
    }

    private static int deltaCalls() {
        return HARNESS.graph.requests("GET", ".*/delta").size();
    }
}
