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
 * SYNC_DEBOUNCE_SECONDS: how long a notified inbox waits before its run. With 3 s set, the run Graph's notification
 * asked for is due 3 s later, not at the default 10 s, and the mail is in the feed then (on the test clock).
 */
class SyncDebounceTest {
    private static final ConnectorHarness HARNESS = ConnectorHarness.withClockedQueues(env -> env.put("SYNC_DEBOUNCE_SECONDS", "3"));

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

        HARNESS.graph.mail().deliverText(upn, "soon"); // Graph notifies: the receiver queues a request, the worker schedules a run
        runVisible();
        assertEquals(before, HARNESS.readFeed(c.connectionId()).size(), "the run waits for the debounce");

        HARNESS.clock.advance(Duration.ofMillis(2_900));
        runVisible();
        assertEquals(before, HARNESS.readFeed(c.connectionId()).size(), "not before 3 s");

        HARNESS.clock.advance(Duration.ofMillis(200));
        runVisible();
        List<String> subjects = HARNESS.readFeed(c.connectionId()).stream().map(ch -> ch.path("summary").path("subject").asText()).toList();
        assertTrue(subjects.contains("soon"), "read 3 s after the notification: " + subjects);
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
