package io.m365connector.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.functions.SyncFunctions;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.graph.NotificationEndpoint;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * SYNC_DEBOUNCE_SECONDS: how long a notified inbox waits before its run. With 7 s set, the run Graph's notification
 * asked for is due 7 s later, not at the default 10 s; a second notification a second later is covered by that run
 * (one delta request for both); both mails are in the feed then (on the test clock).
 */
class SyncDebounceTest {
    private static final ConnectorHarness HARNESS = ConnectorHarness.withClockedQueues(env -> env.put("SYNC_DEBOUNCE_SECONDS", "7"));

    static {
        NotificationEndpoint receiver = HARNESS.graphEndpoint();
        HARNESS.graph.subscriptions().setEndpoint(receiver);
    }

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @Test
    void whenTheDebounceIsSetThenANotifiedChangeIsReadThatManySecondsLater() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        String upn = c.user().userPrincipalName();
        HARNESS.graph.mail().addMailbox(upn);
        HARNESS.drainSyncQueue(); // the first run, and the subscription it makes
        int before = HARNESS.readFeed(c.connectionId()).size();

        int deltaBefore = HARNESS.graph.requests("GET", ".*/delta").size();

        HARNESS.graph.mail().deliverText(upn, "first"); // Graph notifies: the receiver queues a request, the worker schedules a run
        runVisible();
        HARNESS.clock.advance(Duration.ofSeconds(1));
        HARNESS.graph.mail().deliverText(upn, "second"); // covered by the run already scheduled
        runVisible();
        assertEquals(before, HARNESS.readFeed(c.connectionId()).size(), "the run waits for the debounce");

        HARNESS.clock.advance(Duration.ofMillis(5_900)); // 6.9 s after the first notification
        runVisible();
        assertEquals(before, HARNESS.readFeed(c.connectionId()).size(), "not before 7 s");

        HARNESS.clock.advance(Duration.ofMillis(200));
        runVisible();
        List<String> subjects = HARNESS.readFeed(c.connectionId()).stream().map(ch -> ch.path("summary").path("subject").asText()).toList();
        assertTrue(subjects.containsAll(List.of("first", "second")), "read 7 s after the first notification: " + subjects);
        assertEquals(1, HARNESS.graph.requests("GET", ".*/delta").size() - deltaBefore, "one run for both notifications");
        assertEquals(0, HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).size());
    }

    private static void runVisible() {
        for (int round = 0; round < 5; round++) {
            List<String> visible = HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible();
            for (String message : visible) {
                HARNESS.sync.syncWorker(message, new FakeExecutionContext("syncWorker"));
            }
        }
    }
}
