package io.m365connector.tokens;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a connection's tokens are refreshed next by the maintenance sweep. Entra ID refresh tokens
 * expire after 90 days without use; refreshing every {@code keepAlive} (default 7 days, with
 * jitter so refreshes of connections created together do not bunch) keeps them alive with a wide margin.
 */
public final class RefreshPolicy {
    private final Duration keepAlive;
    private final Duration jitter;

    public RefreshPolicy(Duration keepAlive, Duration jitter) {
        this.keepAlive = keepAlive;
        this.jitter = jitter;
    }

    public static RefreshPolicy defaults() {
        return new RefreshPolicy(Duration.ofDays(7), Duration.ofHours(12));
    }

    public Instant nextDue(Instant now) {
        long spread = jitter.toMillis();
        long offset = spread == 0 ? 0 : ThreadLocalRandom.current().nextLong(-spread, spread + 1);
        return now.plus(keepAlive).plusMillis(offset);
    }
}
