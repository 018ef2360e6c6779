package io.m365connector.tokens;

import io.m365connector.connection.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This instance's access tokens, per connection and scope set, so that a warm action costs no
 * Table read and no MSAL call. Entries remember when the connection's row was last looked at, so
 * the broker can re-check it (a disconnect or a refresh on another instance) every few seconds.
 * Bounded: expired entries are dropped every few minutes as tokens are added; when full, expired entries go first, then
 * everything.
 */
final class AccessTokenCache {
    static final int MAX_CONNECTIONS = 50_000;
    /**
     * How often expired entries are dropped as tokens are added. Each entry holds its connection with the sealed token cache
     * (several KB): kept until the map was full, the tokens of every connection an instance ever served (a sync timer runs
     * them all) would grow the heap by hundreds of MB.
     */
    static final Duration SWEEP_EVERY = Duration.ofMinutes(5);

    /** A cached token and when the connection's row was last read for it. */
    record Entry(AccessToken token, Instant checkedAt) {
        @Override
        public String toString() {
            return "Entry[" + token + ", checkedAt=" + checkedAt + "]";
        }
    }

    private final Map<String, Map<String, Entry>> byConnection = new ConcurrentHashMap<>();
    private volatile Instant nextSweep = Instant.MIN;

    Optional<Entry> get(String connectionId, Set<String> scopes) {
        Map<String, Entry> entries = byConnection.get(connectionId);
        return entries == null ? Optional.empty() : Optional.ofNullable(entries.get(key(scopes)));
    }

    /** The connection as some cached token of it last saw it, if its row was read at or after {@code checkedSince}. */
    Optional<Connection> connection(String connectionId, Instant checkedSince) {
        Map<String, Entry> entries = byConnection.get(connectionId);
        return entries == null ? Optional.empty() : entries.values().stream().filter(e -> !e.checkedAt().isBefore(checkedSince))
                .map(e -> e.token().connection()).findFirst();
    }

    void put(Set<String> scopes, AccessToken token, Instant checkedAt) {
        if (byConnection.size() >= MAX_CONNECTIONS && !byConnection.containsKey(token.connection().id())) {
            evict(checkedAt);
        } else if (!checkedAt.isBefore(nextSweep)) {
            nextSweep = checkedAt.plus(SWEEP_EVERY);
            dropExpired(checkedAt);
        }
        byConnection.computeIfAbsent(token.connection().id(), id -> new ConcurrentHashMap<>()).put(key(scopes), new Entry(token, checkedAt));
    }

    /** Drops every token of a connection (disconnected, or a token was rejected). */
    void forget(String connectionId) {
        byConnection.remove(connectionId);
    }

    private void evict(Instant now) {
        dropExpired(now);
        if (byConnection.size() >= MAX_CONNECTIONS) {
            byConnection.clear();
        }
    }

    private void dropExpired(Instant now) {
        byConnection.values().removeIf(entries -> {
            entries.values().removeIf(e -> !now.isBefore(e.token().expiresAt()));
            return entries.isEmpty();
        });
    }

    /** How many connections have a token here (for tests). */
    int size() {
        return byConnection.size();
    }

    private static String key(Set<String> scopes) {
        Set<String> sorted = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        sorted.addAll(scopes);
        return String.join(" ", sorted).toLowerCase(Locale.ROOT);
    }
}
