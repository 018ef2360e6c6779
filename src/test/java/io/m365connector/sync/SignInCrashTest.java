package io.m365connector.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.functions.SyncFunctions;
import io.m365connector.testing.ClockSleeper;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.KillSwitch;
import io.m365connector.testing.ProcessDeath;
import io.m365connector.testing.entra.FakeUser;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A sign-in killed at each of its requests (before the request leaves, and after the far side carried it out), then what
 * a user and the timer do next: a connection left not active is signed in again; one that became active is left alone.
 * Either way its inbox is synced within the timer's next tick, with no second sign-in: the schedule's entries are written
 * before the row that makes the connection active ({@code SyncEnrollment.beforeChange}), so a death between that row
 * and the enrollment after it loses nothing.
 */
class SignInCrashTest {
    private static final ConnectorHarness HARNESS = ConnectorHarness.withClockedQueues(env -> { });
    private static List<KillSwitch.Call> reference;

    @AfterAll
    static void close() {
        HARNESS.close();
    }

    static Stream<Arguments> cells() {
        return KillSwitch.cells(referenceSignIn());
    }

    @ParameterizedTest(name = "[{index}] dies {2} request {0}: {1}")
    @MethodSource("cells")
    void whenTheSignInDiesAtAnyRequestThenTheInboxIsStillSyncedByTheTimersNextTick(int ordinal, KillSwitch.Call call, KillSwitch.When when) {
        FakeUser user = user();
        HARNESS.graph.mail().deliverText(user.userPrincipalName(), "delivered before the sign-in");
        String id = HARNESS.start(NationalCloud.GLOBAL, "\"mail_read\"").path("connectionId").asText();

        KillSwitch killed = new KillSwitch(HARNESS.routing).arm(ordinal, when);
        signIn(HARNESS.browserOn(HARNESS.newInstance(killed, new ClockSleeper(HARNESS.clock))), id, user);
        assertTrue(killed.dead(), "died at request " + ordinal + ": " + killed.calls());
        assertEquals(call.shape(), killed.calls().get(ordinal).shape(), "the same path as the reference sign-in");

        boolean active = ConnectorHarness.json(HARNESS.getConnection(id).bodyText()).path("status").asText().equals("active");
        if (!active) {
            signIn(HARNESS.browser(), id, user); // the sign-in failed in front of the user, who tries again
        }
        HARNESS.clock.advance(Duration.ofMinutes(5));
        HARNESS.sync.syncTimer("{\"IsPastDue\":false}", new FakeExecutionContext("syncTimer"));
        HARNESS.drainSyncQueue();

        assertEquals(List.of("inbox:created:delivered before the sign-in"), HARNESS.readFeed(id).stream()
                .map(c -> c.path("resource").asText() + ":" + c.path("type").asText() + ":" + c.path("summary").path("subject").asText())
                .toList(), (active ? "active after the death, never signed in again" : "signed in again") + ": the inbox is synced");
        assertEquals(200, HARNESS.deleteConnection(id).getStatusCode());
    }

    /** Signs the user in to connection {@code id} (again, when it exists from an earlier try) in {@code browser}. */
    private static void signIn(io.m365connector.testing.TestBrowser browser, String id, FakeUser user) {
        JsonNode started = ConnectorHarness.json(HARNESS.createConnection("{\"ownerId\":\"owner-1\",\"features\":[\"mail_read\"],"
                + "\"cloud\":\"global\",\"connectionId\":\"" + id + "\",\"returnUrl\":\"" + ConnectorHarness.RETURN_URL + "\"}").bodyText());
        HARNESS.entra.nextSignIn(user);
        try {
            browser.navigate(started.path("loginUrl").asText());
        } catch (ProcessDeath | RuntimeException died) {
            // the instance died in front of the user's browser
        }
    }

    private static FakeUser user() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(),
                "crash-" + UUID.randomUUID().toString().substring(0, 8) + "@contoso.com");
        HARNESS.graph.mail().addMailbox(user.userPrincipalName());
        return user;
    }

    /** The requests of one sign-in that nothing interrupts, on a new instance, after a first one made the tables. */
    private static synchronized List<KillSwitch.Call> referenceSignIn() {
        if (reference == null) {
            for (int i = 0; i < 2; i++) {
                FakeUser user = user();
                String id = HARNESS.start(NationalCloud.GLOBAL, "\"mail_read\"").path("connectionId").asText();
                KillSwitch recording = new KillSwitch(HARNESS.routing);
                signIn(HARNESS.browserOn(HARNESS.newInstance(recording, new ClockSleeper(HARNESS.clock))), id, user);
                HARNESS.drainSyncQueue();
                HARNESS.deleteConnection(id);
                reference = recording.calls();
            }
        }
        return reference;
    }
}
