package io.m365connector.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.testing.ClockSleeper;
import io.m365connector.testing.MutableClock;
import io.m365connector.testing.TestConnections;
import io.m365connector.tokens.AccessToken;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** GraphRetry's decisions with scripted SDK failures: no Azurite, no HTTP, no real sleeps. */
class GraphRetryTest {
    private static final Set<String> SCOPES = Set.of("Mail.Send");
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final ClockSleeper sleeper = new ClockSleeper(clock);
    private final GraphRetry retry = GraphRetry.defaults(sleeper, clock);
    /** Renews as scripted, and remembers each call. */
    private final Renewals broker = new Renewals();
    private final Connection connection = TestConnections.active(NationalCloud.GLOBAL, clock.instant(), null);
    private final AccessToken first = new AccessToken("first", clock.instant().plusSeconds(3600), connection);
    private final GraphSession session = new GraphSession(new GraphGateway(new OkHttpClient()), broker, retry, SCOPES, first);

    private static final class Renewals implements SessionToken.Renewal {
        final List<Optional<String>> calls = new ArrayList<>();
        RuntimeException failure;
        AccessToken next;

        @Override
        public AccessToken renew(AccessToken rejected, Set<String> scopes, Optional<String> claims) {
            calls.add(claims);
            if (failure != null) {
                throw failure;
            }
            return next;
        }
    }

    /** Fails with the given exceptions in order, then succeeds with "done". */
    private static final class Script {
        final Deque<RuntimeException> failures;
        final AtomicInteger calls = new AtomicInteger();

        Script(RuntimeException... failures) {
            this.failures = new ArrayDeque<>(List.of(failures));
        }

        String call() {
            calls.incrementAndGet();
            RuntimeException next = failures.poll();
            if (next != null) {
                throw next;
            }
            return "done";
        }
    }

    @Test
    void whenGraphThrottlesWithRetryAfterThenTheCallIsRepeatedAfterThatDelay() {
        Script script = new Script(GraphFailures.status(429, "Retry-After", "2"));

        assertEquals("done", session.call(Safety.ONCE, client -> script.call()));

        assertEquals(2, script.calls.get());
        assertEquals(List.of(Duration.ofSeconds(2)), sleeper.waits());
    }

    @Test
    void whenThrottlingOutlastsTheBudgetThenThrottledWithTheDelay() {
        Script script = new Script(GraphFailures.status(429, "Retry-After", "120"));

        ConnectorException e = assertThrows(ConnectorException.class, () -> session.call(Safety.ONCE, client -> script.call()));

        assertEquals(ProblemCode.THROTTLED, e.code());
        assertEquals(1, script.calls.get());
        assertEquals(List.of(), sleeper.waits());
    }

    @Test
    void whenTheConnectionIsRefusedThenEvenASendIsRepeated() {
        Script script = new Script(new UncheckedIOException(new ConnectException("refused")));

        assertEquals("done", session.call(Safety.ONCE, client -> script.call()));

        assertEquals(2, script.calls.get());
    }

    @Test
    void whenASendsAnswerIsAmbiguousThenItIsNotRepeatedAndTheCallerIsTold() {
        Script script = new Script(GraphFailures.status(504));

        assertThrows(GraphRetry.Ambiguous.class, () -> session.call(Safety.ONCE, client -> script.call()));

        assertEquals(1, script.calls.get());
    }

    @Test
    void whenARepeatableCallsAnswerIsAmbiguousThenItIsRepeated() {
        Script script = new Script(GraphFailures.status(502), GraphFailures.status(500));

        assertEquals("done", session.call(Safety.REPEATABLE, client -> script.call()));

        assertEquals(3, script.calls.get());
    }

    @Test
    void whenARemovalWasAmbiguousAndTheRepeatFindsNothingThenTheFirstAttemptRemovedIt() {
        Script script = new Script(GraphFailures.status(504), GraphFailures.status(404));

        assertNull(session.call(Safety.REMOVAL, client -> script.call()));
    }

    @Test
    void whenARemovalFindsNothingAtFirstThenNotFound() {
        Script script = new Script(GraphFailures.status(404));

        assertEquals(ProblemCode.NOT_FOUND, assertThrows(ConnectorException.class,
                () -> session.call(Safety.REMOVAL, client -> script.call())).code());
    }

    @Test
    void whenGraphRejectsTheTokenThenItIsRenewedOnceAndTheCallRepeated() {
        broker.next = new AccessToken("renewed", clock.instant().plusSeconds(3600), connection);
        Script script = new Script(GraphFailures.status(401));

        assertEquals("done", session.call(Safety.ONCE, client -> script.call()));

        assertEquals(2, script.calls.get());
        assertEquals("renewed", session.token().value());
        assertEquals(List.of(Optional.empty()), broker.calls);
    }

    @Test
    void whenGraphRejectsTheRenewedTokenTooThenGraphErrorAndNoThirdTry() {
        broker.next = new AccessToken("renewed", clock.instant().plusSeconds(3600), connection);
        Script script = new Script(GraphFailures.status(401), GraphFailures.status(401));

        assertEquals(ProblemCode.GRAPH_ERROR, assertThrows(ConnectorException.class,
                () -> session.call(Safety.ONCE, client -> script.call())).code());

        assertEquals(2, script.calls.get());
        assertEquals(1, broker.calls.size());
    }

    @Test
    void whenGraphSendsAClaimsChallengeThenTheRenewalCarriesTheClaims() {
        String claims = "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"1764583200\"}}}";
        broker.next = new AccessToken("with-claims", clock.instant().plusSeconds(3600), connection);
        Script script = new Script(GraphFailures.claimsChallenge(claims));

        assertEquals("done", session.call(Safety.ONCE, client -> script.call()));

        assertEquals("with-claims", session.token().value());
        assertEquals(List.of(Optional.of(claims)), broker.calls);
    }

    @Test
    void whenTheRenewalNeedsTheUserThenReauthRequiredComesOutAndNothingIsRepeated() {
        broker.failure = new ConnectorException(ProblemCode.REAUTH_REQUIRED, "connect again");
        Script script = new Script(GraphFailures.status(401));

        assertEquals(ProblemCode.REAUTH_REQUIRED, assertThrows(ConnectorException.class,
                () -> session.call(Safety.ONCE, client -> script.call())).code());

        assertEquals(1, script.calls.get());
    }

    @Test
    void whenGraphRefusesForGoodThenNoRetryAndNoRenewal() {
        Script script = new Script(GraphFailures.status(403));

        assertEquals(ProblemCode.MAILBOX_ACCESS_DENIED, assertThrows(ConnectorException.class,
                () -> session.call(Safety.REPEATABLE, client -> script.call())).code());

        assertEquals(1, script.calls.get());
        assertEquals(List.of(), broker.calls);
    }

    @Test
    void whenARequestIsRefusedBeforeItLeavesThenItIsNeitherRetriedNorTakenForGraphsFailure() {
        // A path value missing (a caller's fault): the request never left, so it is not ambiguous, and a retry would fail alike.
        Script script = new Script(assertThrows(GraphJsonRequests.MissingPathValue.class,
                () -> GraphJsonRequests.requireValues("{+baseurl}/me/messages/{message%2Did}/send", Map.of(), Map.of())));

        assertThrows(GraphJsonRequests.MissingPathValue.class, () -> session.call(Safety.REPEATABLE, client -> script.call()));

        assertEquals(1, script.calls.get());
        assertEquals(List.of(), sleeper.waits(), "no wait for a retry");
    }
}
