package io.m365connector.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.functions.HttpMethod;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.functions.MaintenanceFunctions;
import io.m365connector.functions.SyncFunctions;
import io.m365connector.testing.ClockSleeper;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.FakeHttpRequest;
import io.m365connector.testing.KillSwitch;
import io.m365connector.testing.ProcessDeath;
import io.m365connector.testing.SecretsLedger;
import io.m365connector.testing.StandardWebhooks;
import io.m365connector.testing.WebhookReceiver;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The webhook copy of the feed (connection.changes events, signed as Standard Webhooks) and the sync
 * part of a connection's status.
 */
class SyncWebhookTest {
    private static final String SECRET = SecretsLedger.remember(StandardWebhooks.newSecret());
    private static final WebhookReceiver WEB_APP = new WebhookReceiver();
    private static final ConnectorHarness HARNESS = ConnectorHarness.withClockedQueues(env -> {
        env.put("NOTIFY_WEBHOOK_URL", WEB_APP.url());
        env.put("NOTIFY_WEBHOOK_SIGNING_SECRET", SECRET);
    });

    static {
        HARNESS.graph.subscriptions().setEndpoint(HARNESS.graphEndpoint());
    }

    @AfterAll
    static void tearDown() {
        HARNESS.close();
        WEB_APP.close();
    }

    @Test
    void whenChangesReachTheFeedThenTheWebAppGetsThemSignedWithTheFeedsCursors() {
        ConnectorHarness.Connected user = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        drainSync();
        HARNESS.graph.mail().deliverText(user.user().userPrincipalName(), "to the web app");
        drainSync();
        deliverWebhooks();

        WebhookReceiver.Received delivery = WEB_APP.documented().stream()
                .filter(r -> r.body().contains("connection.changes") && r.body().contains(user.connectionId())).findFirst().orElseThrow();
        JsonNode event = ConnectorHarness.json(delivery.body());
        JsonNode feed = ConnectorHarness.json(HARNESS.read(user.connectionId(), "/changes").bodyText());

        assertTrue(StandardWebhooks.verify(SECRET, delivery.headers(), delivery.body(), HARNESS.clock.instant()), "signed");
        assertEquals(user.connectionId(), event.path("connectionId").asText());
        assertEquals("to the web app", event.path("changes").get(0).path("summary").path("subject").asText());
        assertEquals(feed.path("changes").get(0).path("id").asText(), event.path("changes").get(0).path("id").asText(),
                "the same change as in the feed");
        assertEquals(feed.path("nextCursor").asText(), event.path("toCursor").asText(), "where to read on from");
    }

    @Test
    void whenARunFailsAfterItsFirstPageReachedTheFeedThenTheWebAppIsStillToldOfThatPage() {
        ConnectorHarness.Connected user = HARNESS.connect(NationalCloud.USGOVDOD, "\"mail_read\"");
        drainSync();
        String upn = user.user().userPrincipalName();
        HARNESS.graph.delta().setPageLimit(1);
        try {
            HARNESS.graph.mail().deliverText(upn, "one");
            HARNESS.graph.mail().deliverText(upn, "two");
            HARNESS.graph.failAfter(1, "GET", ".*/messages/delta", 403, "ErrorAccessDenied", "Access is denied.");
            drainSync(); // page 1 reaches the feed, page 2 is refused: the run stops
        } finally {
            HARNESS.graph.delta().setPageLimit(Integer.MAX_VALUE);
        }
        deliverWebhooks();

        List<String> inFeed = StreamSupport.stream(ConnectorHarness.json(HARNESS.read(user.connectionId(), "/changes").bodyText())
                .path("changes").spliterator(), false).map(c -> c.path("id").asText()).toList();
        List<String> pushed = WEB_APP.documented().stream().map(r -> ConnectorHarness.json(r.body()))
                .filter(e -> e.path("connectionId").asText().equals(user.connectionId()) && e.path("type").asText().equals("connection.changes"))
                .flatMap(e -> StreamSupport.stream(e.path("changes").spliterator(), false)).map(c -> c.path("id").asText()).toList();
        assertEquals(1, inFeed.size(), "the first page's change: " + inFeed);
        assertEquals(inFeed, pushed, "what reached the feed before the run failed is pushed too");
    }

    @Test
    void whenTheStatusIsReadThenEachSyncedResourceSaysHowItStands() {
        ConnectorHarness.Connected global = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\",\"calendar_read\"");
        ConnectorHarness.Connected china = HARNESS.connect(NationalCloud.CHINA, "\"mail_read\",\"calendar_read\"");
        drainSync();

        List<JsonNode> globalSync = sync(global.connectionId());
        List<JsonNode> chinaSync = sync(china.connectionId());

        assertEquals(List.of("inbox:syncing:subscribed", "calendar:syncing:subscribed"), globalSync.stream().map(SyncWebhookTest::line).toList());
        assertEquals("inbox:not_supported_in_cloud:", line(chinaSync.get(0)));
        assertEquals("calendar:syncing:subscribed", line(chinaSync.get(1)));
    }

    @Test
    void whenSyncStopsThenTheStatusSaysWhyAndTheWebAppIsToldOnceUntilItRecovers() {
        ConnectorHarness.Connected user = HARNESS.connect(NationalCloud.USGOV, "\"mail_read\"");
        drainSync();
        HARNESS.graph.failNext("GET", ".*/messages/delta", 403, "ErrorAccessDenied", "Access is denied.", null, false);
        HARNESS.graph.mail().deliverText(user.user().userPrincipalName(), "while access is denied");
        drainSync();

        JsonNode failing = sync(user.connectionId()).get(0);
        assertEquals("inbox:failing:subscribed", line(failing));
        assertEquals("mailbox_access_denied", failing.path("lastError").asText());
        HARNESS.graph.failNext("GET", ".*/messages/delta", 403, "ErrorAccessDenied", "Access is denied.", null, false);
        HARNESS.graph.mail().deliverText(user.user().userPrincipalName(), "still denied"); // a second stop in a row is no new event
        drainSync();

        HARNESS.graph.mail().deliverText(user.user().userPrincipalName(), "access is back");
        drainSync();
        JsonNode recovered = sync(user.connectionId()).get(0);
        assertEquals("inbox:syncing:subscribed", line(recovered));
        assertTrue(recovered.path("lastError").isMissingNode(), "no stale error: " + recovered);
        JsonNode feed = ConnectorHarness.json(HARNESS.read(user.connectionId(), "/changes?limit=50").bodyText());
        deliverWebhooks();
        List<JsonNode> events = WEB_APP.documented().stream().map(r -> ConnectorHarness.json(r.body()))
                .filter(e -> e.path("connectionId").asText().equals(user.connectionId()) && e.path("type").asText().startsWith("connection.sync_"))
                .toList();
        assertEquals(List.of("connection.sync_stopped:inbox:mailbox_access_denied", "connection.sync_recovered:inbox:"),
                events.stream().map(e -> e.path("type").asText() + ":" + e.path("resource").asText() + ":" + e.path("code").asText("")).toList(),
                "one event for the stop, one for the recovery");
        assertEquals(List.of("access is back", "still denied", "while access is denied"), StreamSupport.stream(feed.path("changes").spliterator(), false)
                .map(c -> c.path("summary").path("subject").asText()).sorted().toList(), "nothing lost while failing");
    }

    @Test
    void whenASharedMailboxsSyncStopsAndRecoversThenTheEventsAndTheFeedNameTheMailbox() {
        ConnectorHarness.Connected user = HARNESS.connect(NationalCloud.GLOBAL, "\"shared_mailbox_read\"");
        String upn = user.user().userPrincipalName();
        String shared = "support-" + user.connectionId().substring(4, 12) + "@contoso.com";
        HARNESS.graph.mail().addMailbox(upn);
        HARNESS.graph.mail().addMailbox(shared);
        HARNESS.graph.mail().deliverText(shared, "for the support team");
        FakeHttpRequest name = FakeHttpRequest.of(HttpMethod.PUT, "https://" + ConnectorHarness.FUNCTION_HOST + "/api/connections/"
                + user.connectionId() + "/shared-mailboxes/" + shared);
        assertEquals(201, HARNESS.sync.addSharedMailbox(name, user.connectionId(), shared, new FakeExecutionContext("put")).getStatusCode());
        drainSync(); // no rights on it yet: 403 from Graph

        HARNESS.graph.grantMailboxAccess(upn, shared, false);
        HARNESS.clock.advance(Duration.ofMinutes(6));
        HARNESS.sync.syncTimer("{}", new FakeExecutionContext("syncTimer"));
        drainSync();
        deliverWebhooks();

        List<JsonNode> events = WEB_APP.documented().stream().map(r -> ConnectorHarness.json(r.body()))
                .filter(e -> e.path("connectionId").asText().equals(user.connectionId())).toList();
        assertEquals(List.of("connection.sync_stopped:inbox:" + shared + ":mailbox_access_denied", "connection.sync_recovered:inbox:" + shared + ":"),
                events.stream().filter(e -> e.path("type").asText().startsWith("connection.sync_")).map(e -> e.path("type").asText() + ":"
                        + e.path("resource").asText() + ":" + e.path("mailbox").asText() + ":" + e.path("code").asText("")).toList());
        JsonNode change = events.stream().filter(e -> e.path("type").asText().equals(FeedWebhooks.TYPE)).findFirst().orElseThrow()
                .path("changes").get(0);
        assertEquals(shared + ":for the support team", change.path("mailbox").asText() + ":" + change.path("summary").path("subject").asText());
    }

    private static String line(JsonNode health) {
        return health.path("resource").asText() + ":" + health.path("state").asText() + ":" + health.path("notifications").asText("");
    }

    @Test
    void whenTheRecoveringRunDiesAfterSavingItsStateThenTheWebAppIsStillToldOfTheRecovery() {
        ConnectorHarness.Connected user = HARNESS.connect(NationalCloud.USGOV, "\"mail_read\"");
        drainSync();
        HARNESS.graph.failNext("GET", ".*/messages/delta", 403, "ErrorAccessDenied", "Access is denied.", null, false);
        HARNESS.graph.mail().deliverText(user.user().userPrincipalName(), "while access is denied");
        drainSync();
        assertEquals("mailbox_access_denied", sync(user.connectionId()).get(0).path("lastError").asText());

        // access is back: the timer's run reads the delta and saves its state, then dies checking the subscription at Graph
        KillSwitch killed = new KillSwitch(HARNESS.routing).armAt(c -> c.method().equals("GET") && c.path().contains("/subscriptions/"),
                KillSwitch.When.BEFORE_SENDING);
        SyncFunctions dying = HARNESS.newInstance(killed, new ClockSleeper(HARNESS.clock)).context().newFunction(SyncFunctions.class);
        try {
            dying.syncWorker(new SyncRequest(user.connectionId(), SyncResource.INBOX, "timer", HARNESS.clock.instant()).toJson(),
                    new FakeExecutionContext("syncWorker"));
        } catch (ProcessDeath | RuntimeException died) {
            // the instance is gone; the state it saved says the sync runs again
        }
        assertTrue(killed.dead(), killed.calls().toString());
        assertEquals("syncing", sync(user.connectionId()).get(0).path("state").asText());
        drainSync();
        deliverWebhooks();

        List<String> events = WEB_APP.documented().stream().map(r -> ConnectorHarness.json(r.body()))
                .filter(e -> e.path("connectionId").asText().equals(user.connectionId()) && e.path("type").asText().startsWith("connection.sync_"))
                .map(e -> e.path("type").asText()).distinct().toList();
        assertEquals(List.of("connection.sync_stopped", "connection.sync_recovered"), events);
    }

    private static List<JsonNode> sync(String connectionId) {
        JsonNode status = ConnectorHarness.json(HARNESS.getConnection(connectionId).bodyText());
        return StreamSupport.stream(status.path("sync").spliterator(), false).toList();
    }

    private static void drainSync() {
        for (int round = 0; round < 20; round++) {
            HARNESS.clock.advance(Duration.ofSeconds(11));
            List<String> visible = HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible();
            if (visible.isEmpty() && HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).size() == 0) {
                return;
            }
            visible.forEach(m -> HARNESS.sync.syncWorker(m, new FakeExecutionContext("syncWorker")));
        }
    }

    private static void deliverWebhooks() {
        MaintenanceFunctions maintenance = HARNESS.context.newFunction(MaintenanceFunctions.class);
        for (String message : HARNESS.clockedQueue(MaintenanceFunctions.NOTIFICATION_QUEUE).receiveVisible()) {
            maintenance.notificationWorker(message, new FakeExecutionContext("notificationWorker"));
        }
    }
}
