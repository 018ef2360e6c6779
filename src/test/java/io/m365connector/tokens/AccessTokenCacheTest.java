package io.m365connector.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.TestConnections;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The instance's token cache keeps only tokens that can still be used: each entry carries its connection's sealed cache. */
class AccessTokenCacheTest {
    private static final Instant NOW = Instant.parse("2027-01-04T10:00:00Z");
    private static final Set<String> SCOPES = Set.of("Mail.Send");

    @Test
    void whenTokensExpireThenTheyAreDroppedAsLaterTokensAreAddedNotKeptUntilTheCacheIsFull() {
        AccessTokenCache cache = new AccessTokenCache();
        for (int i = 0; i < 100; i++) {
            cache.put(SCOPES, token(NOW.plus(Duration.ofHours(1))), NOW);
        }
        assertEquals(100, cache.size());

        Instant later = NOW.plus(Duration.ofHours(1)).plus(AccessTokenCache.SWEEP_EVERY);
        AccessToken fresh = token(later.plus(Duration.ofHours(1)));
        cache.put(SCOPES, fresh, later);

        assertEquals(1, cache.size(), "the expired ones went");
        assertTrue(cache.get(fresh.connection().id(), SCOPES).isPresent());
    }

    @Test
    void whenTokensAreAddedWithinTheSweepIntervalThenNothingValidIsDropped() {
        AccessTokenCache cache = new AccessTokenCache();
        cache.put(SCOPES, token(NOW.plus(Duration.ofHours(1))), NOW);
        cache.put(SCOPES, token(NOW.plus(Duration.ofHours(1))), NOW.plus(Duration.ofMinutes(1)));

        assertEquals(2, cache.size());
    }

    private static AccessToken token(Instant expiresAt) {
        return new AccessToken("at-" + expiresAt.toEpochMilli(), expiresAt, TestConnections.active(NationalCloud.GLOBAL, NOW, NOW.plus(Duration.ofDays(1))));
    }
}
