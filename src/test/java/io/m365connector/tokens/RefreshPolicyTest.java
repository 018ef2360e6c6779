package io.m365connector.tokens;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** When the sweep refreshes a connection next: in use, shortly before expiry; idle, every keep-alive with jitter. */
class RefreshPolicyTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private final RefreshPolicy policy = new RefreshPolicy(Duration.ofDays(7), Duration.ofHours(12), Duration.ofHours(2), Duration.ofMinutes(10));

    @RepeatedTest(20)
    void whenTheConnectionIsIdleThenItIsDueAfterTheKeepAliveWithinItsJitter() {
        Instant due = policy.nextDue(NOW);

        assertTrue(!due.isBefore(NOW.plus(Duration.ofDays(7)).minus(Duration.ofHours(12))) && !due.isAfter(NOW.plus(Duration.ofDays(7)).plus(Duration.ofHours(12))),
                due.toString());
    }

    @RepeatedTest(20)
    void whenAnActionUsedItRecentlyThenItIsDueWithinTheLeadBeforeTheTokenExpires() {
        Instant expires = NOW.plus(Duration.ofHours(1));

        Instant due = policy.nextDue(NOW, expires, NOW.minus(Duration.ofMinutes(5)));

        assertTrue(!due.isAfter(expires.minus(Duration.ofMinutes(10))) && !due.isBefore(expires.minus(Duration.ofMinutes(15))), due.toString());
    }

    @Test
    void whenTheLastUseIsOutsideTheActiveWindowThenItIsTreatedAsIdle() {
        Instant due = policy.nextDue(NOW, NOW.plus(Duration.ofHours(1)), NOW.minus(Duration.ofHours(3)));

        assertTrue(due.isAfter(NOW.plus(Duration.ofDays(6))), due.toString());
    }

    @Test
    void whenTheTokenExpiresWithinTheLeadThenTheKeepAliveApplies() {
        Instant due = policy.nextDue(NOW, NOW.plus(Duration.ofMinutes(3)), NOW);

        assertTrue(due.isAfter(NOW.plus(Duration.ofDays(6))), "never due in the past: " + due);
    }

    @RepeatedTest(10)
    void whenRefreshesKeepFailingThenTheBackoffDoublesFromTwoMinutesUpToSixHoursWithJitter() {
        assertTrue(between(RefreshOutcomes.backoff(1), Duration.ofSeconds(96), Duration.ofSeconds(144)));
        assertTrue(between(RefreshOutcomes.backoff(3), Duration.ofSeconds(384), Duration.ofSeconds(576)));
        assertTrue(between(RefreshOutcomes.backoff(30), Duration.ofHours(6).multipliedBy(8).dividedBy(10), Duration.ofHours(6).multipliedBy(12)
                .dividedBy(10)));
    }

    private static boolean between(Duration d, Duration low, Duration high) {
        return d.compareTo(low) >= 0 && d.compareTo(high) <= 0;
    }
}
