package io.m365connector.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.functions.HttpMethod;
import io.m365connector.app.ContextParts;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.functions.ConnectionFunctions;
import io.m365connector.functions.MaintenanceFunctions;
import io.m365connector.testing.ClockSleeper;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.FakeHttpRequest;
import io.m365connector.testing.KillSwitch;
import io.m365connector.testing.OnceAtRequest;
import io.m365connector.testing.ProcessDeath;
import io.m365connector.testing.StandardWebhooks;
import io.m365connector.testing.WebhookReceiver;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The web app hears of every status change even when the instance making it is killed: a refresh that finds the user's
 * grant revoked (needs_reauth), a disconnect, and the app credential check that finds the app's secret refused, each
 * killed before and after every request it makes, then what happens next (the queue hands the refresh out again; the web
 * app repeats its DELETE; the timer checks again) and the backstop's time passing. The web app gets the change's event,
 * under one id however many times it is announced.
 */
class StatusEventCrashTest {
    private static final WebhookReceiver RECEIVER = new WebhookReceiver();
    private static final ConnectorHarness HARNESS = ConnectorHarness.withClockedQueues(env -> {
        env.put("NOTIFY_WEBHOOK_URL", RECEIVER.url());
        env.put("NOTIFY_WEBHOOK_SIGNING_SECRET", StandardWebhooks.newSecret());
        env.put("M365_GLOBAL_HOME_TENANT", ConnectorHarness.HOME_TENANT); // the credential check asks for a token in it
    });

    static {
        HARNESS.entra.setHomeTenant(HARNESS.clientIds.get(NationalCloud.GLOBAL), ConnectorHarness.HOME_TENANT);
    }
    private static final Map<String, List<KillSwitch.Call>> REFERENCE = new HashMap<>();

    @AfterAll
    static void tearDown() {
        HARNESS.close();
        RECEIVER.close();
    }

    static Stream<Arguments> refreshCells() {
        return cells("refresh");
    }

    static Stream<Arguments> disconnectCells() {
        return cells("disconnect");
    }

    static Stream<Arguments> credentialCells() {
        return cells("credential");
    }

    @ParameterizedTest(name = "[{index}] dies {2} request {0}: {1}")
    @MethodSource("refreshCells")
    void whenARefreshThatFindsTheGrantRevokedDiesAtAnyRequestThenTheWebAppStillHearsOfNeedsReauthOnce(int ordinal, KillSwitch.Call call,
                                                                                                      KillSwitch.When when) {
        String id = connectedAndRevoked();
        dieAt(ordinal, call, when, instance -> refresh(instance, id));

        refresh(HARNESS.newInstance(), id); // the queue hands the refresh out again
        assertEquals(List.of("needs_reauth"), eventsAfterTheBackstop(id), "one needs_reauth event, under one id");
        assertEquals(ConnectionStatus.NEEDS_REAUTH, row(id).status());
    }

    @ParameterizedTest(name = "[{index}] dies {2} request {0}: {1}")
    @MethodSource("disconnectCells")
    void whenADisconnectDiesAtAnyRequestThenTheWebAppStillHearsOfItOnce(int ordinal, KillSwitch.Call call, KillSwitch.When when) {
        String id = connected();
        dieAt(ordinal, call, when, instance -> disconnect(instance, id));

        assertEquals(200, HARNESS.deleteConnection(id).getStatusCode()); // the web app repeats its DELETE after the 5xx
        assertEquals(List.of("disconnected"), eventsAfterTheBackstop(id), "one disconnected event, under one id");
    }

    @Test
    void whenADisconnectsSaveMeetsAnotherWriterThenTheWebAppHearsOfItOnceAfterTheBackstopsTime() {
        String id = connected();
        OnceAtRequest anotherWriterFirst = new OnceAtRequest(HARNESS.routing, KillSwitch.When.BEFORE_SENDING, "PUT",
                ".*/" + Pattern.quote(HARNESS.tables.connections() + "(") + ".*" + id + ".*",
                () -> ContextParts.of(HARNESS.context).connections().recordUse(id, HARNESS.clock.instant())); // the row's ETag moves

        disconnect(HARNESS.newInstance(anotherWriterFirst, new ClockSleeper(HARNESS.clock)), id);

        assertTrue(anotherWriterFirst.happened());
        assertEquals(ConnectionStatus.DISCONNECTED, row(id).status());
        assertEquals(List.of("disconnected"), eventsAfterTheBackstop(id), "the first attempt's backstop is the same event, or none");
        assertEquals(1, deliveredFor(id), "delivered once");
    }

    @Test
    void whenAnotherWriterChangesTheStatusBeforeADisconnectsSaveThenTheWebAppHearsOfTheDisconnectOnce() {
        String id = connected();
        OnceAtRequest refreshMarksItFirst = new OnceAtRequest(HARNESS.routing, KillSwitch.When.BEFORE_SENDING, "PUT",
                ".*/" + Pattern.quote(HARNESS.tables.connections() + "(") + ".*" + id + ".*", () -> {
                    // a refresh worker marks the connection needs_reauth meanwhile: the disconnect's retry reads another status
                    Connection read = row(id);
                    ContextParts.of(HARNESS.context).connections().update(read.toBuilder().status(ConnectionStatus.NEEDS_REAUTH)
                            .updatedAt(HARNESS.clock.instant().minusMillis(1)).build());
                });

        disconnect(HARNESS.newInstance(refreshMarksItFirst, new ClockSleeper(HARNESS.clock)), id);

        assertTrue(refreshMarksItFirst.happened());
        assertEquals(ConnectionStatus.DISCONNECTED, row(id).status());
        assertEquals(List.of("disconnected"), eventsAfterTheBackstop(id),
                "the first attempt's backstop (from active) and the saved change (from needs_reauth) are one change, under one id");
    }

    @ParameterizedTest(name = "[{index}] dies {2} request {0}: {1}")
    @MethodSource("credentialCells")
    void whenTheCredentialCheckThatFindsTheSecretRefusedDiesAtAnyRequestThenTheWebAppStillHearsOfItOnce(int ordinal, KillSwitch.Call call,
                                                                                                        KillSwitch.When when) {
        credentialWorks();
        HARNESS.entra.setSecretExpired(HARNESS.clientIds.get(NationalCloud.GLOBAL), HARNESS.env.get("M365_GLOBAL_CLIENT_SECRET"), true);
        HARNESS.clock.advance(Duration.ofMinutes(16)); // the check is due
        dieAt(ordinal, call, when, StatusEventCrashTest::check);

        HARNESS.clock.advance(Duration.ofMinutes(16));
        check(HARNESS.newInstance()); // the timer's next check, on another instance
        List<String> heard = credentialEventsAfterTheBackstop();
        credentialWorks(); // for the other scenarios' sign-ins
        assertEquals(List.of("app_credential_invalid"), heard, "one event, under one id");
    }

    private static Stream<Arguments> cells(String scenario) {
        return KillSwitch.cells(reference(scenario));
    }

    /** The requests the scenario makes when nothing interrupts it, on a new instance, after a first run made the tables. */
    private static synchronized List<KillSwitch.Call> reference(String scenario) {
        return REFERENCE.computeIfAbsent(scenario, s -> {
            List<KillSwitch.Call> calls = null;
            for (int i = 0; i < 2; i++) {
                KillSwitch recording = new KillSwitch(HARNESS.routing);
                ConnectorHarness.Instance instance = HARNESS.newInstance(recording, new ClockSleeper(HARNESS.clock));
                if (s.equals("credential")) {
                    credentialWorks();
                    HARNESS.entra.setSecretExpired(HARNESS.clientIds.get(NationalCloud.GLOBAL), HARNESS.env.get("M365_GLOBAL_CLIENT_SECRET"), true);
                    HARNESS.clock.advance(Duration.ofMinutes(16));
                    check(instance);
                    calls = recording.calls();
                    credentialEventsAfterTheBackstop();
                    credentialWorks();
                    continue;
                }
                String id = s.equals("refresh") ? connectedAndRevoked() : connected();
                if (s.equals("refresh")) {
                    refresh(instance, id);
                } else {
                    disconnect(instance, id);
                }
                calls = recording.calls();
                eventsAfterTheBackstop(id);
            }
            return calls;
        });
    }

    private static void dieAt(int ordinal, KillSwitch.Call call, KillSwitch.When when, Consumer<ConnectorHarness.Instance> scenario) {
        KillSwitch killed = new KillSwitch(HARNESS.routing).arm(ordinal, when);
        try {
            scenario.accept(HARNESS.newInstance(killed, new ClockSleeper(HARNESS.clock)));
        } catch (ProcessDeath | RuntimeException died) {
            // the instance is gone
        }
        assertTrue(killed.dead(), "died at request " + ordinal + ": " + killed.calls());
        assertEquals(call.shape(), killed.calls().get(ordinal).shape(), "the same path as the reference run");
    }

    private static void refresh(ConnectorHarness.Instance instance, String id) {
        Connection c = row(id);
        if (c.status() == ConnectionStatus.ACTIVE) {
            ContextParts.of(instance.context()).refreshWorker().handle(new RefreshMessage(id, c.refresh().nextRefreshDue()));
        }
    }

    private static void disconnect(ConnectorHarness.Instance instance, String id) {
        instance.context().newFunction(ConnectionFunctions.class).delete(FakeHttpRequest.of(HttpMethod.DELETE, "https://"
                + ConnectorHarness.FUNCTION_HOST + "/api/connections/" + id), id, new FakeExecutionContext("deleteConnection"));
    }

    private static String connected() {
        String id = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId();
        eventsAfterTheBackstop(id);
        return id;
    }

    /** A connection due for refresh whose user's refresh tokens Entra ID has revoked. */
    private static String connectedAndRevoked() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        eventsAfterTheBackstop(c.connectionId());
        Connection row = row(c.connectionId());
        ContextParts.of(HARNESS.context).connections().update(row.toBuilder()
                .refresh(row.refresh().withNextRefreshDue(HARNESS.clock.instant().minusSeconds(60))).build());
        HARNESS.entra.revokeRefreshTokens(c.user());
        return c.connectionId();
    }

    /**
     * Lets the backstop's time pass and delivers every queued event (as the queue trigger would, looks again included);
     * returns the statuses the web app heard of for {@code connectionId}, one per distinct event id.
     */
    private static List<String> eventsAfterTheBackstop(String connectionId) {
        int before = RECEIVER.received().size();
        deliverFor(Duration.ofMinutes(8));
        Map<String, String> byId = new HashMap<>();
        for (WebhookReceiver.Received received : RECEIVER.documented().subList(before, RECEIVER.received().size())) {
            JsonNode event = ConnectorHarness.json(received.body());
            if (event.path("connectionId").asText().equals(connectionId)) {
                byId.put(event.path("id").asText(), event.path("status").asText());
            }
        }
        return List.copyOf(byId.values());
    }

    private static void check(ConnectorHarness.Instance instance) {
        ContextParts.of(instance.context()).appCredentialMonitor().checkDue();
    }

    /** The global secret works again and the check has recorded it (the event of that recovery delivered and left out). */
    private static void credentialWorks() {
        HARNESS.entra.setSecretExpired(HARNESS.clientIds.get(NationalCloud.GLOBAL), HARNESS.env.get("M365_GLOBAL_CLIENT_SECRET"), false);
        HARNESS.clock.advance(Duration.ofMinutes(16));
        check(HARNESS.newInstance());
        credentialEventsAfterTheBackstop();
    }

    /** As {@link #eventsAfterTheBackstop}, for the global app credential's events: their types, one per distinct id. */
    private static List<String> credentialEventsAfterTheBackstop() {
        int before = RECEIVER.received().size();
        deliverFor(Duration.ofMinutes(8));
        Map<String, String> byId = new HashMap<>();
        for (WebhookReceiver.Received received : RECEIVER.documented().subList(before, RECEIVER.received().size())) {
            JsonNode event = ConnectorHarness.json(received.body());
            if (event.path("type").asText().startsWith("app_credential_") && event.path("cloud").asText().equals("global")) {
                byId.put(event.path("id").asText(), event.path("type").asText());
            }
        }
        return List.copyOf(byId.values());
    }

    private static void deliverFor(Duration time) {
        for (long minute = 0; minute < time.toMinutes(); minute++) {
            for (String message : HARNESS.clockedQueue(MaintenanceFunctions.NOTIFICATION_QUEUE).receiveVisible()) {
                ContextParts.of(HARNESS.context).notificationWorker().handle(message);
            }
            HARNESS.clock.advance(Duration.ofMinutes(1));
        }
    }

    /** How many deliveries the web app received for the connection since the test's first. */
    private static long deliveredFor(String connectionId) {
        return RECEIVER.documented().stream().map(r -> ConnectorHarness.json(r.body()))
                .filter(e -> e.path("connectionId").asText().equals(connectionId) && e.path("status").asText().equals("disconnected")).count();
    }

    private static Connection row(String id) {
        return ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
    }
}
