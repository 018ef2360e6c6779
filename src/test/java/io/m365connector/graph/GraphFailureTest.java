package io.m365connector.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.m365connector.graph.GraphFailure.Meaning;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Problem;
import io.m365connector.platform.ProblemCode;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What each Graph failure means for sending again, and what the caller is told. No Azurite, no HTTP. */
class GraphFailureTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);

    @ParameterizedTest(name = "HTTP {0} -> {1}, {2}")
    @CsvSource({
        "429, NOT_PROCESSED, throttled",
        "503, NOT_PROCESSED, temporarily_unavailable",
        "401, UNAUTHORIZED, graph_error",
        "500, AMBIGUOUS, temporarily_unavailable",
        "502, AMBIGUOUS, temporarily_unavailable",
        "504, AMBIGUOUS, temporarily_unavailable",
        "403, REFUSED, mailbox_access_denied",
        "404, REFUSED, not_found",
        "409, REFUSED, concurrent_update",
        "413, REFUSED, payload_too_large",
        "400, REFUSED, invalid_request"
    })
    void whenGraphAnswersWithAStatusThenItsMeaningAndCodeFollowTheTable(int status, Meaning meaning, String code) {
        GraphFailure failure = GraphFailure.of(GraphFailures.status(status), CLOCK);

        assertEquals(meaning, failure.meaning());
        assertEquals(code, failure.toException("con_0").code().code());
    }

    @Test
    void whenTheConnectionIsRefusedOrTheHostUnknownThenTheRequestWasNeverSent() {
        assertEquals(Meaning.NOT_PROCESSED, GraphFailure.of(new UncheckedIOException(new ConnectException("refused")), CLOCK).meaning());
        assertEquals(Meaning.NOT_PROCESSED, GraphFailure.of(new RuntimeException(new UnknownHostException("x")), CLOCK).meaning());
        assertEquals(Meaning.NOT_PROCESSED, GraphFailure.of(new RuntimeException(new SocketTimeoutException("connect timed out")), CLOCK)
                .meaning());
    }

    @Test
    void whenTheAnswerTimesOutAfterTheRequestLeftThenItIsAmbiguous() {
        assertEquals(Meaning.AMBIGUOUS, GraphFailure.of(new RuntimeException(new SocketTimeoutException("timeout")), CLOCK).meaning());
        assertEquals(Meaning.AMBIGUOUS, GraphFailure.of(new IllegalStateException("no cause"), CLOCK).meaning());
    }

    @Test
    void whenGraphSaysRetryAfterThenTheDelayIsReadInSecondsOrAsADate() {
        assertEquals(Optional.of(Duration.ofSeconds(7)), GraphFailure.of(GraphFailures.status(429, "Retry-After", "7"), CLOCK).retryAfter());
        assertEquals(Optional.of(Duration.ofSeconds(30)),
                GraphFailure.of(GraphFailures.status(503, "retry-after", "Tue, 01 Dec 2026 10:00:30 GMT"), CLOCK).retryAfter());
        ConnectorException throttled = GraphFailure.of(GraphFailures.status(429, "Retry-After", "7"), CLOCK).toException("con_0");
        assertEquals(7L, Problem.of(throttled).extensionMembers().get("retryAfterSeconds"));
    }

    @Test
    void whenThrottledWithoutRetryAfterThenTheCallerIsAskedToWaitThirtySeconds() {
        ConnectorException throttled = GraphFailure.of(GraphFailures.status(429), CLOCK).toException("con_0");
        assertEquals(30L, Problem.of(throttled).extensionMembers().get("retryAfterSeconds"));
    }

    @Test
    void whenA401CarriesAClaimsChallengeThenTheClaimsAreDecoded() {
        String claims = "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"1764583200\"}}}";

        GraphFailure failure = GraphFailure.of(GraphFailures.claimsChallenge(claims), CLOCK);

        assertEquals(Meaning.UNAUTHORIZED, failure.meaning());
        assertEquals(Optional.of(claims), failure.claims());
        assertEquals(Optional.empty(), GraphFailure.of(GraphFailures.status(401), CLOCK).claims());
    }

    @Test
    void whenOurOwnErrorIsInsideTheSdksExceptionThenItComesOutUnchanged() {
        ConnectorException reauth = new ConnectorException(ProblemCode.REAUTH_REQUIRED, "connect again");

        assertSame(reauth, assertThrows(ConnectorException.class, () -> GraphFailure.of(new RuntimeException(reauth), CLOCK)));
    }

    @Test
    void whenSendAsIsDeniedThenItsOwnCodeSaysWhoCanFixIt() {
        assertEquals(ProblemCode.SEND_AS_DENIED, new GraphFailure(403, "ErrorSendAsDenied", "denied", Optional.empty(), Optional.empty(),
                false).toException("con_0").code());
    }
}
