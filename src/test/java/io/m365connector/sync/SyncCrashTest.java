package io.m365connector.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.functions.SyncFunctions;
import io.m365connector.platform.Json;
import io.m365connector.testing.ClockSleeper;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.KillSwitch;
import io.m365connector.testing.ProcessDeath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The process dies at every outbound request of a sync run (Table Storage and Graph alike, before the
 * request leaves or after the far side carried it out), during the first full sync of an inbox of six
 * messages read two a page. Another instance takes over after the feed lease: the feed then holds each
 * message exactly once, a further run adds nothing, and a new message is one more change.
 */
class SyncCrashTest {
    private static final ConnectorHarness HARNESS = ConnectorHarness.withClockedQueues(env -> { });
    private static final int MESSAGES = 6;
    private static List<KillSwitch.Call> reference;

    static {
        HARNESS.graph.subscriptions().setEndpoint(HARNESS.graphEndpoint());
        HARNESS.graph.delta().setPageLimit(2);
    }

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    static Stream<Arguments> cells() {
        List<Arguments> cells = new ArrayList<>();
        List<KillSwitch.Call> calls = referenceRun();
        for (int i = 0; i < calls.size(); i++) {
            for (KillSwitch.When when : KillSwitch.When.values()) {
                cells.add(Arguments.of(i, calls.get(i), when));
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "killed at request {0} ({1}), {2}")
    @MethodSource("cells")
    void whenTheProcessDiesDuringASyncRunThenTheNextRunLosesNothingAndDoublesNothing(int ordinal, KillSwitch.Call call, KillSwitch.When when) {
        Inbox inbox = inbox();
        KillSwitch killed = new KillSwitch(HARNESS.routing).arm(ordinal, when);
        SyncFunctions dying = HARNESS.newInstance(killed, new ClockSleeper(HARNESS.clock)).context().newFunction(SyncFunctions.class);
        try {
            dying.syncWorker(request(inbox), new FakeExecutionContext("syncWorker"));
        } catch (ProcessDeath | RuntimeException died) {
            // the queue message comes back to another instance
        }
        assertTrue(killed.dead(), "died at request " + ordinal + ": " + killed.calls());
        assertEquals(call.shape(), killed.calls().get(ordinal).shape(), "the same path as the reference run");

        HARNESS.clock.advance(SyncService.FEED_LEASE.plusSeconds(1));
        HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible(); // what the dead one queued goes too; the request below replaces it
        run(inbox);
        run(inbox);
        assertEquals(MESSAGES, created(inbox).size(), "each message once: " + created(inbox));
        assertEquals(MESSAGES, created(inbox).stream().distinct().count());

        deliver(inbox.upn, "after the crash");
        run(inbox);
        assertEquals(MESSAGES + 1, created(inbox).size());
    }

    private record Inbox(String connectionId, String upn) {
    }

    private static List<KillSwitch.Call> referenceRun() {
        if (reference == null) {
            run(inbox()); // the first run creates the tables
            Inbox inbox = inbox();
            KillSwitch recording = new KillSwitch(HARNESS.routing);
            HARNESS.newInstance(recording, new ClockSleeper(HARNESS.clock)).context().newFunction(SyncFunctions.class)
                    .syncWorker(request(inbox), new FakeExecutionContext("syncWorker"));
            assertEquals(MESSAGES, created(inbox).size(), "the reference run syncs the inbox");
            reference = recording.calls();
        }
        return reference;
    }

    private static Inbox inbox() {
        ConnectorHarness.Connected user = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        String upn = user.user().userPrincipalName();
        HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible(); // the enrollment's request: the cell runs its own
        for (int i = 0; i < MESSAGES; i++) {
            deliver(upn, "message " + i);
        }
        HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible();
        return new Inbox(user.connectionId(), upn);
    }

    private static String request(Inbox inbox) {
        return new SyncRequest(inbox.connectionId, SyncResource.INBOX, "timer", HARNESS.clock.instant()).toJson();
    }

    private static void run(Inbox inbox) {
        HARNESS.sync.syncWorker(request(inbox), new FakeExecutionContext("syncWorker"));
        for (String more : HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible()) {
            HARNESS.sync.syncWorker(more, new FakeExecutionContext("syncWorker"));
        }
    }

    private static void deliver(String upn, String subject) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.putObject("from").putObject("emailAddress").put("address", "candidate@fabrikam.com");
        message.put("subject", subject);
        message.putObject("body").put("contentType", "text").put("content", "Hello");
        HARNESS.graph.mail().deliver(upn, message);
    }

    private static List<String> created(Inbox inbox) {
        JsonNode page = ConnectorHarness.json(HARNESS.read(inbox.connectionId, "/changes?limit=500").bodyText());
        List<String> items = new ArrayList<>();
        page.path("changes").forEach(c -> items.add(c.path("itemId").asText()));
        return items;
    }
}
