package io.m365connector.actions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.app.ContextParts;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.functions.MaintenanceFunctions;
import io.m365connector.graph.GraphRetry;
import io.m365connector.idempotency.Idempotency;
import io.m365connector.maintenance.RefreshMessage;
import io.m365connector.platform.StorageUnavailableException;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.ClockSleeper;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.KillSwitch;
import io.m365connector.testing.OnceAtRequest;
import io.m365connector.testing.TestBrowser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Table Storage goes away (an Azurite of its own with its data on disk, killed with SIGKILL) and
 * comes back: during the outage actions, status reads and the sign-in callback answer 503 with
 * Retry-After, never 500 and never a half-written state, and the refresh worker hands its messages
 * back to the host; afterwards every key settles exactly once and no connection has lost its refresh
 * token or been marked needs_reauth. A send whose record storage lost right after Graph accepted it
 * answers "sent", and its retry never sends again.
 */
class StorageOutageTest {
    private static final Azurite STORAGE = Azurite.persistent(tempDirectory());
    private static final ConnectorHarness HARNESS = new ConnectorHarness(env -> {
        env.put("AzureWebJobsStorage", STORAGE.connectionString());
        env.put("OUTBOUND_TIMEOUT_SECONDS", "2");
    }, null);
    private static final Duration PAST_THE_LEASE = Idempotency.leaseFor(Duration.ofSeconds(2), GraphRetry.BUDGET).plusSeconds(1);
    /** Signed in before any test moves the clock (the fake Entra ID's ID tokens are dated by the real clock). */
    private static final ConnectorHarness.Connected SENDER = HARNESS.connect(NationalCloud.USGOV, "\"mail\",\"calendar\"");
    private static final ConnectorHarness.Connected LOSER = HARNESS.connect(NationalCloud.CHINA, "\"mail\"");
    private static final List<String> DUE = new ArrayList<>();

    static {
        for (NationalCloud cloud : NationalCloud.values()) {
            DUE.add(HARNESS.connect(cloud, "\"mail\"").connectionId());
        }
    }

    @AfterEach
    void storageIsBack() {
        if (!storageUp()) {
            STORAGE.revive();
        }
    }

    @AfterAll
    static void tearDown() {
        HARNESS.close();
        STORAGE.stop();
    }

    @Test
    void whenStorageIsDownThenActionsStatusAndTheCallbackAnswer503WithRetryAfterAndEverythingSettlesOnceItIsBack() {
        ConnectorHarness.Connected user = SENDER;
        String upn = user.user().userPrincipalName();
        var pending = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        TestBrowser browser = HARNESS.browser();
        HARNESS.entra.nextSignIn(HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "pending@contoso.com"));
        TestBrowser.Page toEntra = browser.fetch(pending.get("loginUrl").asText());
        TestBrowser.Page backToCallback = browser.fetch(location(toEntra));
        List<String> keys = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());

        STORAGE.kill();
        List<FakeHttpResponse> during = new ArrayList<>();
        for (String key : keys) {
            during.add(HARNESS.sendMail(user.connectionId(), key, mail("outage " + key)));
        }
        during.add(HARNESS.getConnection(user.connectionId()));
        during.add(HARNESS.createEvent(user.connectionId(), UUID.randomUUID().toString(), event("outage event")));
        TestBrowser.Page callback = browser.navigate(location(backToCallback));

        for (FakeHttpResponse answer : during) {
            assertEquals(503, answer.getStatusCode(), answer.bodyText());
            assertEquals("storage_unavailable", ConnectorHarness.json(answer.bodyText()).path("code").asText());
            assertEquals(String.valueOf(StorageUnavailableException.RETRY_AFTER_SECONDS), answer.getHeader("Retry-After"));
        }
        assertEquals(503, callback.status(), callback.body());
        assertEquals(String.valueOf(StorageUnavailableException.RETRY_AFTER_SECONDS), callback.headers().get("Retry-After"));
        assertTrue(callback.body().contains("connect again"), callback.body());
        for (String key : keys) {
            assertEquals(0, delivered(upn, "outage " + key), "nothing was sent while the key could not be recorded");
        }

        STORAGE.revive();
        HARNESS.clock.advance(PAST_THE_LEASE);
        for (String key : keys) {
            assertEquals(202, HARNESS.sendMail(user.connectionId(), key, mail("outage " + key)).getStatusCode());
            assertEquals(202, HARNESS.sendMail(user.connectionId(), key, mail("outage " + key)).getStatusCode());
            assertEquals(1, delivered(upn, "outage " + key), "the key settled exactly once");
        }
        assertEquals(200, HARNESS.getConnection(user.connectionId()).getStatusCode());
        FakeHttpResponse stillPending = HARNESS.getConnection(pending.get("connectionId").asText());
        assertEquals(200, stillPending.getStatusCode(), stillPending.bodyText());
        assertEquals("pending", ConnectorHarness.json(stillPending.bodyText()).path("status").asText(),
                "the callback that met the outage stored nothing: the connection is still pending");
    }

    @Test
    void whenStorageIsLostRightAfterGraphAcceptedASendThenTheAnswerSaysSentAndTheRetryNeverSendsAgain() {
        ConnectorHarness.Connected user = LOSER;
        String upn = user.user().userPrincipalName();
        // sendMail kept in Sent Items (the default), a draft (attachments over one request), sendMail with saveToSentItems false
        for (String path : List.of("kept", "draft", "direct")) {
            String subject = path + " " + UUID.randomUUID();
            String body = switch (path) {
                case "draft" -> mail(subject).replace("}", ",\"attachments\":[" + file("one.bin") + "," + file("two.bin") + "]}");
                case "direct" -> mail(subject).replace("}", ",\"saveToSentItems\":false}");
                default -> mail(subject);
            };
            String key = UUID.randomUUID().toString();
            OnceAtRequest lost = new OnceAtRequest(HARNESS.routing, KillSwitch.When.AFTER_IT_ACTED, "POST",
                    path.equals("draft") ? ".*/messages/[^/]+/send" : ".*/sendMail", STORAGE::kill);

            FakeHttpResponse first = HARNESS.newInstance(lost, new ClockSleeper(HARNESS.clock)).sendMail(user.connectionId(), key, body);

            assertTrue(lost.happened(), path);
            assertEquals(202, first.getStatusCode(), "Graph accepted it, so the answer is 'sent', not 'storage unavailable': "
                    + first.bodyText());
            assertEquals(1, delivered(upn, subject));
            STORAGE.revive();
            HARNESS.clock.advance(PAST_THE_LEASE);
            FakeHttpResponse retried = HARNESS.newInstance().sendMail(user.connectionId(), key, body);
            assertEquals(path.equals("direct") ? 502 : 202, retried.getStatusCode(), path + ": the retry looks (Sent Items, the draft) or "
                    + "says it cannot know (sendMail without a copy): " + retried.bodyText());
            assertEquals(1, delivered(upn, subject), "never sent a second time");
        }
    }

    @Test
    void whenStorageDiesDuringARefreshDrainThenTheWorkerHandsMessagesBackAndNoRefreshTokenIsLost() {
        List<String> ids = DUE;
        HARNESS.clock.advance(Duration.ofDays(8)); // every keep-alive refresh is due
        List<String> messages = new ArrayList<>();
        for (String id : ids) {
            messages.add(new RefreshMessage(id, row(id).refresh().nextRefreshDue()).toJson());
        }
        MaintenanceFunctions functions = HARNESS.context.newFunction(MaintenanceFunctions.class);
        int refreshes = HARNESS.entra.tokenRequests("refresh_token");

        // The first refresh reaches Entra ID (the refresh token rotates there) and storage dies before the new one is saved.
        ConnectorHarness.Instance dying = HARNESS.newInstance(new OnceAtRequest(HARNESS.routing, KillSwitch.When.AFTER_IT_ACTED, "POST", ".*/oauth2/v2.0/token",
                STORAGE::kill), new ClockSleeper(HARNESS.clock));
        MaintenanceFunctions dyingFunctions = dying.context().newFunction(MaintenanceFunctions.class);
        assertThrows(RuntimeException.class, () -> dyingFunctions.refreshWorker(messages.get(0), 1, new FakeExecutionContext("refreshWorker")),
                "the message goes back to the host for another delivery");
        for (String message : messages.subList(1, messages.size())) {
            assertThrows(StorageUnavailableException.class, () -> functions.refreshWorker(message, 1, new FakeExecutionContext("refreshWorker")));
        }
        assertEquals(refreshes + 1, HARNESS.entra.tokenRequests("refresh_token"), "no refresh while the connection cannot be read");

        STORAGE.revive();
        for (String message : messages) {
            functions.refreshWorker(message, 2, new FakeExecutionContext("refreshWorker"));
        }
        for (String id : ids) {
            Connection c = row(id);
            assertEquals(ConnectionStatus.ACTIVE, c.status(), "no connection needs reauth after the outage");
            assertTrue(c.refresh().nextRefreshDue().isAfter(HARNESS.clock.instant()), "refreshed: due again later");
            HARNESS.clock.advance(Duration.ofHours(2)); // the access token has expired: the next action refreshes with the stored token
            assertEquals(202, HARNESS.sendMail(id, null, mail("after the outage")).getStatusCode(), "the stored refresh token still works");
        }
    }

    private static Connection row(String id) {
        return ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
    }

    private static String location(TestBrowser.Page page) {
        String location = page.headers().get("Location");
        assertTrue(location != null, "a redirect: " + page.status() + " " + page.body());
        return page.uri().resolve(location).toString();
    }

    private static boolean storageUp() {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", STORAGE.tablePort()), 200);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static long delivered(String upn, String subject) {
        return HARNESS.graph.sentMail(upn).stream().filter(m -> m.message().path("subject").asText().equals(subject)).count();
    }

    /** 1.5 MB: two of them are more than one request carries, so the mail goes through a draft. */
    private static String file(String name) {
        return "{\"name\":\"" + name + "\",\"contentBase64\":\"" + Base64.getEncoder().encodeToString(new byte[1_500_000]) + "\"}";
    }

    private static String mail(String subject) {
        return "{\"to\":[\"candidate@fabrikam.com\"],\"subject\":\"" + subject + "\",\"body\":\"Hello\"}";
    }

    private static String event(String subject) {
        return "{\"subject\":\"" + subject + "\",\"start\":{\"dateTime\":\"2027-03-01T10:00:00\",\"timeZone\":\"UTC\"},"
                + "\"end\":{\"dateTime\":\"2027-03-01T11:00:00\",\"timeZone\":\"UTC\"}}";
    }

    private static Path tempDirectory() {
        try {
            return Files.createTempDirectory("azurite-outage");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
