package io.m365connector.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.functions.HttpMethod;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.functions.SyncFunctions;
import io.m365connector.testing.ClockSleeper;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.FakeHttpRequest;
import io.m365connector.testing.KillSwitch;
import io.m365connector.testing.ProcessDeath;
import io.m365connector.testing.RefusedCall;
import io.m365connector.testing.entra.FakeUser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The process dies at every outbound request of a sync run (Table Storage and Graph alike, before the
 * request leaves or after the far side carried it out), during the first full sync of an inbox of six
 * messages read two a page, of the user's own inbox and of a shared mailbox's. Another instance takes over
 * after the feed lease: the feed then holds each message exactly once, a further run adds nothing, and a new
 * message is one more change.
 */
class SyncCrashTest {
    private static final ConnectorHarness HARNESS = ConnectorHarness.withClockedQueues(env -> { });
    private static final int MESSAGES = 6;
    private static final java.util.Map<Boolean, List<KillSwitch.Call>> REFERENCE = new java.util.HashMap<>();

    static {
        HARNESS.graph.subscriptions().setEndpoint(HARNESS.graphEndpoint());
        HARNESS.graph.delta().setPageLimit(2);
    }

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    static Stream<Arguments> cells() {
        return cells(false);
    }

    /** The same for a shared mailbox's inbox (polled on /users/{address}: its own path of requests). */
    static Stream<Arguments> sharedCells() {
        return cells(true);
    }

    private static Stream<Arguments> cells(boolean shared) {
        List<Arguments> cells = new ArrayList<>();
        List<KillSwitch.Call> calls = referenceRun(shared);
        for (int i = 0; i < calls.size(); i++) {
            for (KillSwitch.When when : KillSwitch.When.values()) {
                cells.add(Arguments.of(i, calls.get(i), when));
            }
        }
        return cells.stream();
    }

    /**
     * The reference run's requests refused (503, every try, and every later request of the same shape) while the instance
     * lives on: each kind of request where it first comes, and every write wherever it comes (a later page's append or
     * index write fails after earlier pages went through). A read refused later fails the run as the first one does.
     */
    static Stream<Arguments> refusalCells() {
        List<KillSwitch.Call> calls = referenceRun(false);
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<Arguments> cells = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            KillSwitch.Call call = calls.get(i);
            if (seen.add(call.shape()) || !call.method().equals("GET")) {
                cells.add(Arguments.of(i, call));
            }
        }
        return cells.stream();
    }

    /** The reference run's Table transactions (a page appended to the feed, then recorded in the item index), each kill point. */
    static Stream<Arguments> transactionCells() {
        List<Arguments> cells = new ArrayList<>();
        List<KillSwitch.Call> calls = referenceRun(false);
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).path().endsWith("$batch")) {
                for (KillSwitch.When when : KillSwitch.When.values()) {
                    cells.add(Arguments.of(i, calls.get(i), when));
                }
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "killed at request {0} ({1}), {2}")
    @MethodSource("cells")
    void whenTheProcessDiesDuringASyncRunThenTheNextRunLosesNothingAndDoublesNothing(int ordinal, KillSwitch.Call call, KillSwitch.When when) {
        killAndRecover(inbox(false), ordinal, call, when);
    }

    @ParameterizedTest(name = "shared mailbox, killed at request {0} ({1}), {2}")
    @MethodSource("sharedCells")
    void whenTheProcessDiesDuringASharedMailboxsRunThenTheNextRunLosesNothingAndDoublesNothing(int ordinal, KillSwitch.Call call,
                                                                                               KillSwitch.When when) {
        killAndRecover(inbox(true), ordinal, call, when);
    }

    @ParameterizedTest(name = "request {0} ({1}) refused")
    @MethodSource("refusalCells")
    void whenARequestOfASyncRunIsRefusedThenTheRetryLosesNothingAndDoublesNothing(int ordinal, KillSwitch.Call call) {
        // Storage or Graph unavailable for a while: the run fails, its clean-up runs (the feed lease let go), the queue retries.
        Inbox inbox = inbox(false, "\"mail_read\"");
        RefusedCall refusing = new RefusedCall(HARNESS.routing, ordinal);
        SyncFunctions failing = HARNESS.newInstance(refusing, new ClockSleeper(HARNESS.clock)).context().newFunction(SyncFunctions.class);
        try {
            failing.syncWorker(request(inbox), new FakeExecutionContext("syncWorker"));
        } catch (RuntimeException failed) {
            // the queue delivers the message again
        }
        assertTrue(refusing.refused(), "refused request " + ordinal + ": " + refusing.calls());
        assertEquals(call.shape(), refusing.calls().get(ordinal).shape(), "the same path as the reference run");

        HARNESS.clock.advance(SyncService.FEED_LEASE.plusSeconds(1)); // in case the refusal kept the lease from being let go
        HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible();
        run(inbox);
        run(inbox);
        assertEquals(MESSAGES, created(inbox).size(), "each message once: " + created(inbox));
        assertEquals(MESSAGES, created(inbox).stream().distinct().count());
        HARNESS.graph.mail().deliverText(inbox.mailbox(), "after the outage");
        run(inbox);
        assertEquals(MESSAGES + 1, created(inbox).size());
    }

    @Test
    void whenARunFailsThenTheQueuesRetryOfTheSameRequestRunsRatherThanCountingAsCovered() {
        Inbox inbox = inbox(false);
        String request = request(inbox);
        HARNESS.clock.advance(Duration.ofSeconds(10)); // the run starts a while after the request was made
        RefusedCall graphDown = RefusedCall.pathsContaining(HARNESS.routing, "/delta"); // Graph's delta unavailable: 503, every try
        SyncFunctions failing = HARNESS.newInstance(graphDown, new ClockSleeper(HARNESS.clock)).context().newFunction(SyncFunctions.class);
        try {
            failing.syncWorker(request, new FakeExecutionContext("syncWorker"));
        } catch (RuntimeException failed) {
            // the queue delivers the same message again
        }
        assertTrue(graphDown.refused(), "the run failed at the delta");

        HARNESS.clock.advance(Duration.ofSeconds(30));
        HARNESS.sync.syncWorker(request, new FakeExecutionContext("syncWorker")); // the same request: its run failed, so it covered nothing
        for (String more : HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible()) {
            HARNESS.sync.syncWorker(more, new FakeExecutionContext("syncWorker"));
        }

        assertEquals(MESSAGES, created(inbox).size(), "synced now, not at the next hourly timer: " + created(inbox));
    }

    @ParameterizedTest(name = "killed at transaction {0} ({1}), {2}, then the calendar runs first")
    @MethodSource("transactionCells")
    void whenTheProcessDiesBetweenAPagesAppendAndItsIndexThenAnotherResourcesRunFirstDoublesNothing(int ordinal, KillSwitch.Call call,
                                                                                                     KillSwitch.When when) {
        // One feed for the inbox and the calendar: the calendar's writer takes the feed over first and moves its counter on.
        Inbox inbox = inbox(false, "\"mail_read\",\"calendar_read\"");
        dieAt(inbox, ordinal, call, when);

        HARNESS.sync.syncWorker(new SyncRequest(inbox.connectionId, SyncTarget.own(SyncResource.CALENDAR), "timer", HARNESS.clock.instant())
                .toJson(), new FakeExecutionContext("syncWorker"));
        run(inbox);
        run(inbox);
        assertEquals(MESSAGES, created(inbox).size(), "each message once: " + created(inbox));
        assertEquals(MESSAGES, created(inbox).stream().distinct().count());
    }

    @ParameterizedTest(name = "killed at transaction {0} ({1}), {2}, then disconnected and connected again")
    @MethodSource("transactionCells")
    void whenTheProcessDiesBetweenAPagesAppendAndItsIndexAndTheConnectionIsDisconnectedThenTheReconnectReportsEveryItem(
            int ordinal, KillSwitch.Call call, KillSwitch.When when) {
        Inbox inbox = inbox(false);
        dieAt(inbox, ordinal, call, when); // the dead run's rows stay beyond the feed's counter, readable by the web app
        assertEquals(200, HARNESS.deleteConnection(inbox.connectionId).getStatusCode()); // SYNC.md: the web app drops its copy
        int before = HARNESS.readFeed(inbox.connectionId).size();

        HARNESS.entra.nextSignIn(inbox.user);
        JsonNode again = HARNESS.reconnect(inbox.connectionId, "\"mail_read\"");
        HARNESS.browser().navigate(again.path("loginUrl").asText());
        HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible(); // the enrollment's request: run below
        run(inbox);

        List<JsonNode> feed = HARNESS.readFeed(inbox.connectionId);
        List<String> afterReconnect = feed.subList(before, feed.size()).stream()
                .filter(c -> c.path("type").asText().equals("created")).map(c -> c.path("itemId").asText()).toList();
        assertEquals(MESSAGES, afterReconnect.size(), "the first run after connecting again reports every message as created: " + feed);
        assertEquals(200, HARNESS.deleteConnection(inbox.connectionId).getStatusCode());
    }

    private static void killAndRecover(Inbox inbox, int ordinal, KillSwitch.Call call, KillSwitch.When when) {
        dieAt(inbox, ordinal, call, when);
        run(inbox);
        run(inbox);
        assertEquals(MESSAGES, created(inbox).size(), "each message once: " + created(inbox));
        assertEquals(MESSAGES, created(inbox).stream().distinct().count());

        HARNESS.graph.mail().deliverText(inbox.mailbox(), "after the crash");
        run(inbox);
        assertEquals(MESSAGES + 1, created(inbox).size());
    }

    /**
     * Runs the inbox's request on an instance killed at its request {@code ordinal} (the reference run's {@code call}), then
     * lets the dead one's feed lease run out; what it queued goes too, the caller's requests replace it.
     */
    private static void dieAt(Inbox inbox, int ordinal, KillSwitch.Call call, KillSwitch.When when) {
        KillSwitch killed = new KillSwitch(HARNESS.routing).arm(ordinal, when);
        SyncFunctions dying = HARNESS.newInstance(killed, new ClockSleeper(HARNESS.clock)).context().newFunction(SyncFunctions.class);
        try {
            dying.syncWorker(request(inbox), new FakeExecutionContext("syncWorker"));
        } catch (ProcessDeath | RuntimeException died) {
            // the queue message comes back to another instance
        }
        assertTrue(killed.dead(), "died at request " + ordinal + ": " + killed.calls());
        assertEquals(withoutMailbox(call.shape()), withoutMailbox(killed.calls().get(ordinal).shape()), "the same path as the reference run");
        HARNESS.clock.advance(SyncService.FEED_LEASE.plusSeconds(1));
        HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible();
    }

    /** A connection whose inbox is synced: the user's own, or (with {@code shared}) a shared mailbox's the user may read. */
    private record Inbox(String connectionId, String upn, String shared, FakeUser user) {
        String mailbox() {
            return shared != null ? shared : upn;
        }

        SyncTarget target() {
            return shared != null ? SyncTarget.shared(SyncResource.INBOX, shared) : SyncTarget.own(SyncResource.INBOX);
        }
    }

    private static synchronized List<KillSwitch.Call> referenceRun(boolean shared) {
        return REFERENCE.computeIfAbsent(shared, s -> {
            run(inbox(s)); // the first run creates the tables
            Inbox inbox = inbox(s);
            KillSwitch recording = new KillSwitch(HARNESS.routing);
            HARNESS.newInstance(recording, new ClockSleeper(HARNESS.clock)).context().newFunction(SyncFunctions.class)
                    .syncWorker(request(inbox), new FakeExecutionContext("syncWorker"));
            assertEquals(MESSAGES, created(inbox).size(), "the reference run syncs the inbox");
            return recording.calls();
        });
    }

    private static Inbox inbox(boolean sharedMailbox) {
        return inbox(sharedMailbox, sharedMailbox ? "\"shared_mailbox_read\"" : "\"mail_read\"");
    }

    private static Inbox inbox(boolean sharedMailbox, String features) {
        ConnectorHarness.Connected user = HARNESS.connect(NationalCloud.GLOBAL, features);
        String upn = user.user().userPrincipalName();
        HARNESS.graph.mail().addMailbox(upn);
        String shared = null;
        if (sharedMailbox) {
            shared = "shared-" + user.connectionId().substring(4, 16) + "@contoso.com";
            HARNESS.graph.mail().addMailbox(shared);
            HARNESS.graph.grantMailboxAccess(upn, shared, false);
            FakeHttpRequest put = FakeHttpRequest.of(HttpMethod.PUT, "https://" + ConnectorHarness.FUNCTION_HOST + "/api/connections/"
                    + user.connectionId() + "/shared-mailboxes/" + shared);
            assertEquals(201, HARNESS.sync.addSharedMailbox(put, user.connectionId(), shared, new FakeExecutionContext("put")).getStatusCode());
        }
        HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible(); // the enrollment's request: the cell runs its own
        Inbox inbox = new Inbox(user.connectionId(), upn, shared, user.user());
        for (int i = 0; i < MESSAGES; i++) {
            HARNESS.graph.mail().deliverText(inbox.mailbox(), "message " + i);
        }
        HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible();
        return inbox;
    }

    private static String request(Inbox inbox) {
        return new SyncRequest(inbox.connectionId, inbox.target(), "timer", HARNESS.clock.instant()).toJson();
    }

    private static void run(Inbox inbox) {
        HARNESS.sync.syncWorker(request(inbox), new FakeExecutionContext("syncWorker"));
        for (String more : HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible()) {
            HARNESS.sync.syncWorker(more, new FakeExecutionContext("syncWorker"));
        }
    }

    /** A request's shape with the cell's own shared mailbox address left out (each cell has its own). */
    private static String withoutMailbox(String shape) {
        return shape.replaceAll("shared-[0-9a-f]{12}(@|%40)contoso\\.com", "shared");
    }

    /** The inbox's changes in the feed (a calendar synced beside it has its own). */
    private static List<String> created(Inbox inbox) {
        JsonNode page = ConnectorHarness.json(HARNESS.read(inbox.connectionId, "/changes?limit=500").bodyText());
        List<String> items = new ArrayList<>();
        page.path("changes").forEach(c -> {
            if (c.path("resource").asText().equals(SyncResource.INBOX.id())) {
                items.add(c.path("itemId").asText());
            }
        });
        return items;
    }
}
