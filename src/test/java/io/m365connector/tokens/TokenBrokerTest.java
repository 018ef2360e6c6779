package io.m365connector.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.azure.functions.HttpMethod;
import io.m365connector.app.AppContext;
import io.m365connector.app.ContextParts;
import io.m365connector.app.Wiring;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.functions.ConnectionFunctions;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.SettingsReader;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.FakeHttpRequest;
import io.m365connector.testing.StartTogether;
import io.m365connector.testing.entra.FakeUser;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** TokenBroker over Azurite and the fake Entra ID, with real MSAL4J silent refreshes. */
class TokenBrokerTest {
    private static final ConnectorHarness HARNESS = new ConnectorHarness();
    private static final Set<String> MAIL = Set.of("Mail.Send", "Mail.ReadWrite");

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @AfterEach
    void resetFake() {
        HARNESS.entra.setStrictRotation(false);
        HARNESS.entra.setAccessTokenLifetime(Duration.ofHours(1));
    }

    /** Connects a new user through the real flow; the access token from sign-in lives {@code lifetime}. */
    private static String connect(NationalCloud cloud, Duration lifetime) {
        FakeUser user = HARNESS.entra.addUser(cloud, UUID.randomUUID().toString(), "broker-" + UUID.randomUUID() + "@contoso.com");
        HARNESS.entra.setAccessTokenLifetime(lifetime);
        var started = HARNESS.start(cloud, "\"mail\"");
        HARNESS.entra.nextSignIn(user);
        HARNESS.browser().navigate(started.get("loginUrl").asText());
        HARNESS.entra.setAccessTokenLifetime(Duration.ofHours(1));
        return started.get("connectionId").asText();
    }

    @Test
    void whenTokenIsStillValidThenNoRefreshHappensAndTheSecondCallIsServedFromMemory() {
        String id = connect(NationalCloud.USGOV, Duration.ofHours(1));
        int refreshes = HARNESS.entra.tokenRequests("refresh_token");
        TokenBroker broker = ContextParts.of(HARNESS.context).broker();

        AccessToken first = broker.tokenFor(id, MAIL);
        AccessToken second = broker.tokenFor(id, MAIL);

        assertEquals(first.value(), second.value());
        assertEquals(refreshes, HARNESS.entra.tokenRequests("refresh_token"));
        assertEquals("graph.microsoft.us", HARNESS.entra.accessToken(first.value()).orElseThrow().audienceHost());
    }

    @Test
    void whenTokenExpiresMidRunThenConcurrentCallersCauseOneRefreshWhichIsPersisted() throws Exception {
        String id = connect(NationalCloud.CHINA, Duration.ofMinutes(4));
        Connection before = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
        int refreshes = HARNESS.entra.tokenRequests("refresh_token");
        TokenBroker broker = ContextParts.of(HARNESS.context).broker();
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<AccessToken>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(pool.submit(() -> broker.tokenFor(id, MAIL)));
            }
            Set<String> tokens = new HashSet<>();
            for (Future<AccessToken> call : calls) {
                tokens.add(call.get().value());
            }
            assertEquals(1, tokens.size(), "every caller got the refreshed token");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(refreshes + 1, HARNESS.entra.tokenRequests("refresh_token"), "exactly one refresh");
        Connection after = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
        assertNotEquals(before.tokens(), after.tokens(), "the rotated cache was persisted");
        assertNotNull(after.refresh().lastUsedAt());
        assertTrue(after.refresh().accessTokenExpiresAt().isAfter(before.refresh().accessTokenExpiresAt()));
    }

    @Test
    void whenAnotherOwnerAsksWhileTheOwnerRefreshesThenItGetsNotFoundNeverTheFreshToken() throws Exception {
        String id = connect(NationalCloud.GLOBAL, Duration.ofMinutes(4)); // due for refresh: the first caller refreshes under the lock
        TokenBroker broker = ContextParts.of(HARNESS.context).broker();
        int pairs = 8;
        CyclicBarrier start = new CyclicBarrier(2 * pairs);
        List<CompletableFuture<AccessToken>> owners = new ArrayList<>();
        List<CompletableFuture<AccessToken>> others = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            owners.add(StartTogether.run(start, () -> broker.tokenFor(ConnectionRef.of(id, "owner-1"), MAIL)));
            others.add(StartTogether.run(start, () -> broker.tokenFor(ConnectionRef.of(id, "someone-else"), MAIL)));
        }

        for (CompletableFuture<AccessToken> owner : owners) {
            assertNotNull(owner.get().value());
        }
        for (CompletableFuture<AccessToken> other : others) {
            ExecutionException refused = assertThrows(ExecutionException.class, other::get, "another owner got a token");
            assertEquals(ProblemCode.NOT_FOUND, ((ConnectorException) refused.getCause()).code());
        }
    }

    @Test
    void whenTwoInstancesRefreshAtOnceWithStrictRotationThenBothSucceedAndNoRefreshTokenIsLost() throws Exception {
        String id = connect(NationalCloud.GLOBAL, Duration.ofMinutes(4));
        HARNESS.entra.setStrictRotation(true);
        AppContext other = new AppContext(Wiring.production().settings(() -> SettingsReader.read(HARNESS.env)).routing(HARNESS.routing).clock(HARNESS.clock).tables(HARNESS.tables));
        TokenBroker a = ContextParts.of(HARNESS.context).broker();
        TokenBroker b = ContextParts.of(other).broker();
        CyclicBarrier start = new CyclicBarrier(2);
        CompletableFuture<AccessToken> ta = StartTogether.run(start, () -> a.tokenFor(id, MAIL));
        CompletableFuture<AccessToken> tb = StartTogether.run(start, () -> b.tokenFor(id, MAIL));

        assertNotNull(ta.get().value());
        assertNotNull(tb.get().value());
        Connection stored = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
        assertEquals(ConnectionStatus.ACTIVE, stored.status(), "no false needs_reauth");

        // The refresh token that was kept still works: a third instance can force a refresh with it.
        AppContext third = new AppContext(Wiring.production().settings(() -> SettingsReader.read(HARNESS.env)).routing(HARNESS.routing).clock(HARNESS.clock).tables(HARNESS.tables));
        assertNotNull(ContextParts.of(third).broker().refreshNow(id).value());
        assertEquals(ConnectionStatus.ACTIVE, ContextParts.of(HARNESS.context).connections().find(id).orElseThrow().status());
    }

    /**
     * Table Storage keeps at most 64 KiB in the token cache's property, and Entra ID's ID tokens may be larger: an app
     * registration emitting the groups claim as display names puts up to 200 names of up to 256 characters in each
     * (FakeEntraId#setIdTokenGroupNames; ~70 KB). Nothing needs the ID token after sign-in, so it is not stored.
     */
    @Test
    void whenIdTokensCarryTwoHundredLongGroupNamesThenSignInAndRefreshStoreTheTokensWithoutThem() {
        NationalCloud cloud = NationalCloud.CHINA;
        String clientId = HARNESS.clientIds.get(cloud);
        HARNESS.entra.setIdTokenGroupNames(clientId, java.util.stream.IntStream.range(0, 200)
                .mapToObj(i -> String.format("%03d ", i) + "g".repeat(252)).toList());
        try {
            String id = connect(cloud, Duration.ofHours(1));
            Connection signedIn = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
            assertEquals(ConnectionStatus.ACTIVE, signedIn.status(), "the sign-in finished");
            assertTrue(signedIn.tokens().ciphertext().length() < 16_384, "stored without the ID token: "
                    + signedIn.tokens().ciphertext().length() + " bytes");

            assertNotNull(ContextParts.of(HARNESS.context).broker().refreshNow(id).value());
            Connection refreshed = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
            assertNotEquals(signedIn.tokens(), refreshed.tokens(), "the refresh's tokens were stored");
            assertTrue(refreshed.tokens().ciphertext().length() < 16_384, refreshed.tokens().ciphertext().length() + " bytes");
            int refreshes = HARNESS.entra.tokenRequests("refresh_token");
            assertNotNull(ContextParts.of(HARNESS.newInstance().context()).broker().tokenFor(id, MAIL).value());
            assertEquals(refreshes, HARNESS.entra.tokenRequests("refresh_token"), "a new instance uses the stored access token");
        } finally {
            HARNESS.entra.setIdTokenGroupNames(clientId, List.of());
        }
    }

    @Test
    void whenRefreshTokenIsRevokedThenConnectionNeedsReauthAndLaterCallsFailWithoutCallingEntra() {
        String id = connect(NationalCloud.USGOVDOD, Duration.ofHours(1));
        FakeUser user = userOf(id);
        HARNESS.entra.revokeRefreshTokens(user);

        ConnectorException e = assertThrows(ConnectorException.class, () -> ContextParts.of(HARNESS.context).broker().refreshNow(id));

        assertEquals(ProblemCode.REAUTH_REQUIRED, e.code());
        Connection stored = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
        assertEquals(ConnectionStatus.NEEDS_REAUTH, stored.status());
        assertEquals("reauth_required", stored.refresh().lastErrorCode());
        int requests = HARNESS.entra.tokenRequests().size();
        ConnectorException again = assertThrows(ConnectorException.class, () -> ContextParts.of(HARNESS.context).broker().tokenFor(id, MAIL));
        assertEquals(ProblemCode.REAUTH_REQUIRED, again.code());
        assertEquals(409, again.code().httpStatus());
        assertEquals(requests, HARNESS.entra.tokenRequests().size());
    }

    @Test
    void whenDisconnectedThenNoTokenCanBeObtained() {
        String id = connect(NationalCloud.GLOBAL, Duration.ofHours(1));
        ContextParts.of(HARNESS.context).broker().tokenFor(id, MAIL);
        HARNESS.deleteConnection(id);

        ConnectorException e = assertThrows(ConnectorException.class, () -> ContextParts.of(HARNESS.context).broker().tokenFor(id, MAIL));

        assertEquals(ProblemCode.REAUTH_REQUIRED, e.code());
        assertTrue(e.detail().contains("disconnected"));
    }

    @Test
    void whenDisconnectedOnAnotherInstanceThenTheCachedTokenStopsWorkingAfterTheStatusRecheck() {
        String id = connect(NationalCloud.GLOBAL, Duration.ofHours(1));
        ContextParts.of(HARNESS.context).broker().tokenFor(id, MAIL);
        AppContext other = new AppContext(Wiring.production().settings(() -> SettingsReader.read(HARNESS.env)).routing(HARNESS.routing).clock(HARNESS.clock).tables(HARNESS.tables));
        other.newFunction(ConnectionFunctions.class).delete(
                FakeHttpRequest.of(HttpMethod.DELETE, "https://x/api/connections/" + id), id,
                new FakeExecutionContext("deleteConnection"));
        HARNESS.clock.advance(Duration.ofSeconds(31));
        try {
            ConnectorException e = assertThrows(ConnectorException.class, () -> ContextParts.of(HARNESS.context).broker().tokenFor(id, MAIL));
            assertEquals(ProblemCode.REAUTH_REQUIRED, e.code());
        } finally {
            HARNESS.clock.set(Instant.now());
        }
    }

    @Test
    void whenTheRowSaysTheConnectionWasUsedRecentlyThenANewInstanceDoesNotWriteTheUseAgainUntilTheIntervalPassed() {
        String id = connect(NationalCloud.GLOBAL, Duration.ofHours(1));
        try {
            ContextParts.of(HARNESS.context).broker().tokenFor(id, MAIL);
            Instant recorded = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow().refresh().lastUsedAt();
            assertNotNull(recorded, "the first use is written");

            HARNESS.clock.advance(Duration.ofMinutes(5));
            ContextParts.of(HARNESS.newInstance().context()).broker().tokenFor(id, MAIL);
            assertEquals(recorded, ContextParts.of(HARNESS.context).connections().find(id).orElseThrow().refresh().lastUsedAt(),
                    "a new instance's first action wrote no use: the row's is 5 minutes old");

            HARNESS.clock.advance(TokenBroker.USE_RECORD_INTERVAL);
            ContextParts.of(HARNESS.newInstance().context()).broker().tokenFor(id, MAIL);
            assertEquals(HARNESS.clock.instant().truncatedTo(ChronoUnit.MILLIS),
                    ContextParts.of(HARNESS.context).connections().find(id).orElseThrow().refresh().lastUsedAt().truncatedTo(ChronoUnit.MILLIS),
                    "the row's use is older than the interval: written again");
        } finally {
            HARNESS.clock.set(Instant.now());
        }
    }

    @Test
    void whenScopesAreMissingThenMissingPermissionsBeforeAnyCall() {
        String id = connect(NationalCloud.GLOBAL, Duration.ofHours(1));
        int requests = HARNESS.entra.tokenRequests().size();
        ConnectorException e = assertThrows(ConnectorException.class,
                () -> ContextParts.of(HARNESS.context).broker().tokenFor(id, Set.of("Calendars.ReadWrite")));
        assertEquals(ProblemCode.MISSING_PERMISSIONS, e.code());
        assertEquals(403, e.code().httpStatus());
        assertTrue(e.detail().contains("Calendars.ReadWrite"));
        assertEquals(requests, HARNESS.entra.tokenRequests().size());
    }

    @Test
    void whenTheAppsSecretIsRefusedAtRefreshThenTheConnectionStaysActive() {
        String id = connect(NationalCloud.USGOV, Duration.ofHours(1));
        HARNESS.entra.nextTokenError(401, "invalid_client", "AADSTS7000222: The provided client secret keys are expired.", 7000222);

        RefreshFailedException e = assertThrows(RefreshFailedException.class,
                () -> ContextParts.of(HARNESS.context).broker().refreshNow(id));

        assertEquals(RefreshFailure.Kind.CONFIGURATION, e.failure().kind());
        assertEquals(ProblemCode.APP_CREDENTIAL_INVALID, e.code());
        assertEquals(503, e.code().httpStatus());
        assertEquals(Map.of("appCredentialCode", "app_secret_expired"), e.problemExtensions());
        assertTrue(e.detail().contains("app credential for the usgov cloud is not working (app_secret_expired)"), e.detail());
        assertEquals(ConnectionStatus.ACTIVE, ContextParts.of(HARNESS.context).connections().find(id).orElseThrow().status());
    }

    @Test
    void whenEntraIsUnavailableAtRefreshThenItIsTransientAndTheConnectionStaysActive() {
        String id = connect(NationalCloud.USGOV, Duration.ofHours(1));
        // MSAL4J retries a 5xx once by itself: both attempts fail here.
        HARNESS.entra.nextTokenError(503, "temporarily_unavailable", "AADSTS90055: The request is throttled temporarily.", 90055);
        HARNESS.entra.nextTokenError(503, "temporarily_unavailable", "AADSTS90055: The request is throttled temporarily.", 90055);

        RefreshFailedException e = assertThrows(RefreshFailedException.class,
                () -> ContextParts.of(HARNESS.context).broker().refreshNow(id));

        assertEquals(RefreshFailure.Kind.TRANSIENT, e.failure().kind());
        assertEquals(ConnectionStatus.ACTIVE, ContextParts.of(HARNESS.context).connections().find(id).orElseThrow().status());
    }

    private static FakeUser userOf(String connectionId) {
        Connection c = ContextParts.of(HARNESS.context).connections().find(connectionId).orElseThrow();
        return new FakeUser(c.cloud(), c.account().tenantId(), c.account().userObjectId(), c.account().userPrincipalName(), null);
    }

}
