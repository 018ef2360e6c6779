package io.m365connector.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A function app Graph cannot send notifications to (PUBLIC_BASE_URL http, as in a local run with Core Tools): no
 * subscription is made, the status says why, and the timer polls the user's own inbox at the poll interval (5 minutes, as
 * SYNC.md and TROUBLESHOOTING.md say), not at the hourly safety interval of a subscribed resource.
 */
class LocalRunPollingTest {
    private static final ConnectorHarness HARNESS = ConnectorHarness.withClockedQueues(env -> { }, URI.create("http://localhost:7071"));

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @Test
    void whenGraphCannotReachTheAppThenTheInboxIsPolledEveryFiveMinutesAndTheStatusSaysWhy() {
        ConnectorHarness.Connected user = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        String upn = user.user().userPrincipalName();
        HARNESS.graph.mail().addMailbox(upn);
        HARNESS.drainSyncQueue(); // the first run
        assertTrue(HARNESS.graph.subscriptions().subscriptions(upn).isEmpty(), "no subscription to an http URL");
        JsonNode inbox = status(user.connectionId()).get(0);
        assertEquals("timer_only", inbox.path("notifications").asText(), inbox.toString());
        assertEquals("notification_url_not_public", inbox.path("notificationsProblem").asText(), inbox.toString());

        tick(); // the entry the enrollment made, due at once: the timer's first run, and the next entry
        HARNESS.graph.mail().deliverText(upn, "new mail, no notification");
        HARNESS.clock.advance(SyncCapabilities.POLL_INTERVAL.plusSeconds(1));
        tick();

        assertEquals(List.of("new mail, no notification"), subjects(user.connectionId()), "one poll interval later, not the next hour");
    }

    private static void tick() {
        HARNESS.sync.syncTimer("{\"IsPastDue\":false}", new FakeExecutionContext("syncTimer"));
        HARNESS.drainSyncQueue();
    }

    private static List<JsonNode> status(String connectionId) {
        JsonNode status = ConnectorHarness.json(HARNESS.getConnection(connectionId).bodyText());
        return StreamSupport.stream(status.path("sync").spliterator(), false).filter(h -> h.path("resource").asText().equals("inbox")).toList();
    }

    private static List<String> subjects(String connectionId) {
        JsonNode page = ConnectorHarness.json(HARNESS.read(connectionId, "/changes?limit=100").bodyText());
        List<String> subjects = new ArrayList<>();
        page.path("changes").forEach(c -> subjects.add(c.path("summary").path("subject").asText()));
        return subjects;
    }
}
