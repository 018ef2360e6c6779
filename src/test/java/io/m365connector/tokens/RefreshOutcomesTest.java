package io.m365connector.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.app.ContextParts;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.maintenance.RefreshMessage;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.entra.FakeUser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every token outcome through every path that gets a token (an action, the refresh worker, the
 * sign-in callback), checked on the connection row: whichever path met it, the row says the same
 * (one writer, {@link RefreshOutcomes}).
 */
class RefreshOutcomesTest {
    private static final ConnectorHarness HARNESS = new ConnectorHarness();
    private static final String MAIL = "{\"to\":[\"x@fabrikam.com\"],\"subject\":\"s\",\"body\":\"b\"}";

    enum Path { ACTION, WORKER, SIGN_IN }

    enum Outcome { SUCCESS, TRANSIENT, DEAD_GRANT, APP_CREDENTIAL_REFUSED }

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @AfterEach
    void normalLifetime() {
        HARNESS.entra.setAccessTokenLifetime(Duration.ofHours(1));
    }

    static Stream<Arguments> pathsAndOutcomes() {
        List<Arguments> cases = new ArrayList<>();
        for (Path path : Path.values()) {
            for (Outcome outcome : Outcome.values()) {
                cases.add(Arguments.of(path, outcome));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("pathsAndOutcomes")
    void whenATokenOutcomeIsMetOnAnyPathThenTheRowSaysTheSame(Path path, Outcome outcome) {
        NationalCloud cloud = NationalCloud.values()[(path.ordinal() + outcome.ordinal()) % 4];
        FakeUser user = HARNESS.entra.addUser(cloud, UUID.randomUUID().toString(), "outcome-" + UUID.randomUUID() + "@contoso.com");
        String id;
        Connection before;
        if (path == Path.SIGN_IN) {
            var started = HARNESS.start(cloud, "\"mail\"");
            id = started.get("connectionId").asText();
            before = row(id);
            HARNESS.entra.nextSignIn(user);
            if (outcome == Outcome.DEAD_GRANT) {
                HARNESS.entra.nextTokenError(400, "invalid_grant", "AADSTS70008: The provided authorization code or refresh token has "
                        + "expired due to inactivity.", 70008);
            } else {
                meet(outcome, user);
            }
            HARNESS.browser().navigate(started.get("loginUrl").asText());
        } else {
            // A short-lived token from sign-in: MSAL refreshes on the action's first call.
            HARNESS.entra.setAccessTokenLifetime(Duration.ofMinutes(2));
            var started = HARNESS.start(cloud, "\"mail\"");
            id = started.get("connectionId").asText();
            HARNESS.entra.nextSignIn(user);
            HARNESS.browser().navigate(started.get("loginUrl").asText());
            before = row(id);
            meet(outcome, user);
            if (path == Path.ACTION) {
                HARNESS.sendMail(id, UUID.randomUUID().toString(), MAIL);
            } else {
                Connection due = ContextParts.of(HARNESS.context).connections().update(before.toBuilder()
                        .refresh(before.refresh().withNextRefreshDue(HARNESS.clock.instant().minusSeconds(60))).build());
                ContextParts.of(HARNESS.context).refreshWorker().handle(new RefreshMessage(id, due.refresh().nextRefreshDue()));
            }
        }

        Connection after = row(id);
        if (path == Path.SIGN_IN && outcome != Outcome.SUCCESS) {
            assertEquals(ConnectionStatus.PENDING, after.status(), "a failed sign-in stores nothing");
            assertNull(after.tokens());
            return;
        }
        switch (outcome) {
            case SUCCESS -> {
                assertEquals(ConnectionStatus.ACTIVE, after.status());
                assertNull(after.refresh().lastErrorCode());
                assertEquals(0, after.refresh().failureCount());
                assertEquals(HARNESS.clock.instant(), after.refresh().lastRefreshAt());
                assertNotEquals(before.tokens(), after.tokens(), "new tokens stored");
                assertNotNull(after.refresh().nextRefreshDue());
            }
            case TRANSIENT -> assertRetriedLater(after, before, "temporarily_unavailable");
            case APP_CREDENTIAL_REFUSED -> assertRetriedLater(after, before, "app_secret_expired");
            case DEAD_GRANT -> {
                assertEquals(ConnectionStatus.NEEDS_REAUTH, after.status());
                assertEquals("reauth_required", after.refresh().lastErrorCode());
                assertEquals(HARNESS.clock.instant().plus(RefreshOutcomes.TOKENS_KEPT_AFTER_REAUTH), after.refresh().nextRefreshDue(),
                        "due once more: to drop its tokens");
                assertEquals(before.tokens(), after.tokens());
            }
        }
    }

    private static void assertRetriedLater(Connection after, Connection before, String code) {
        assertEquals(ConnectionStatus.ACTIVE, after.status(), "not the user's fault: still active");
        assertEquals(code, after.refresh().lastErrorCode());
        assertEquals(before.refresh().failureCount() + 1, after.refresh().failureCount());
        assertTrue(after.refresh().nextRefreshDue().isAfter(HARNESS.clock.instant().plusSeconds(90)), "due again after a backoff");
        assertEquals(before.tokens(), after.tokens(), "tokens kept");
    }

    private static void meet(Outcome outcome, FakeUser user) {
        switch (outcome) {
            case SUCCESS -> { }
            case TRANSIENT -> {
                // MSAL4J repeats a 5xx once by itself: both attempts fail.
                HARNESS.entra.nextTokenError(503, "temporarily_unavailable", "AADSTS90055: The request is throttled temporarily.", 90055);
                HARNESS.entra.nextTokenError(503, "temporarily_unavailable", "AADSTS90055: The request is throttled temporarily.", 90055);
            }
            case DEAD_GRANT -> HARNESS.entra.revokeRefreshTokens(user);
            case APP_CREDENTIAL_REFUSED -> HARNESS.entra.nextTokenError(401, "invalid_client",
                    "AADSTS7000222: The provided client secret keys for app are expired.", 7000222);
        }
    }

    private static Connection row(String id) {
        return ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
    }
}
