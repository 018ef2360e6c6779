package io.m365connector.tokens;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When the maintenance sweep refreshes a connection next.
 * <ul>
 *   <li>In use (an action used it within {@code activeWindow}): shortly before its access token
 *       expires, so actions find a fresh token and do not pay for a refresh.</li>
 *   <li>Otherwise every {@code keepAlive} (default 7 days): Entra ID refresh tokens expire after 90
 *       days without use, so this keeps them alive with a wide margin.</li>
 * </ul>
 * Jitter spreads connections created or refreshed together so refreshes do not bunch.
 */
public final class RefreshPolicy {
    private final Duration keepAlive;
    private final Duration keepAliveJitter;
    private final Duration activeWindow;
    private final Duration lead;

    public RefreshPolicy(Duration keepAlive, Duration keepAliveJitter, Duration activeWindow, Duration lead) {
        this.keepAlive = keepAlive;
        this.keepAliveJitter = keepAliveJitter;
        this.activeWindow = activeWindow;
        this.lead = lead;
    }

    public static RefreshPolicy keepAliveEvery(Duration keepAlive) {
        return new RefreshPolicy(keepAlive, keepAlive.dividedBy(14), Duration.ofHours(2), Duration.ofMinutes(10));
    }

    /** Keep-alive due time for a connection nobody is using. */
    public Instant nextDue(Instant now) {
        return now.plus(keepAlive).plusMillis(jitter(keepAliveJitter.toMillis()));
    }

    /** Due time after a successful refresh, depending on whether the connection is in use. */
    public Instant nextDue(Instant now, Instant accessTokenExpiresAt, Instant lastUsedAt) {
        boolean inUse = lastUsedAt != null && lastUsedAt.isAfter(now.minus(activeWindow));
        if (inUse && accessTokenExpiresAt != null) {
            Instant due = accessTokenExpiresAt.minus(lead).minusMillis(ThreadLocalRandom.current().nextLong(lead.toMillis() / 2 + 1));
            if (due.isAfter(now)) {
                return due;
            }
        }
        return nextDue(now);
    }

    private static long jitter(long spread) {
        return spread == 0 ? 0 : ThreadLocalRandom.current().nextLong(-spread, spread + 1);
    }
}
