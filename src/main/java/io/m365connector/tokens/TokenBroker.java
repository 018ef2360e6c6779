package io.m365connector.tokens;

import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.connection.ConnectionUpdates;
import io.m365connector.crypto.TokenSealer;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Access tokens for connections: the per-instance cache first, then the connection's sealed MSAL
 * cache ({@link TokenRefresher}), with every outcome written by {@link RefreshOutcomes}.
 *
 * <p>Warm path: a cached token is used until {@code clockSkew} before it expires; the row is re-read
 * at most every {@code statusRecheck}, which makes a disconnect on another instance take effect and
 * swaps in tokens another instance refreshed. One acquisition per connection at a time on an
 * instance (lock stripes); across instances the row's ETag decides, and a loser re-reads and uses
 * the winner's tokens, so a rotated refresh token is never overwritten or lost.
 *
 * <p>After Graph rejects a token ({@link #renewRejected}), the cached token is dropped and a new one
 * obtained: with the claims of a Continuous Access Evaluation challenge when Graph sent one.
 */
public final class TokenBroker {
    private static final Logger LOG = Logger.getLogger(TokenBroker.class.getName());
    private static final int STRIPES = 256;
    /** How often, at most, a connection's use is written to its row (for the refresh policy); a use the row holds counts. */
    static final Duration USE_RECORD_INTERVAL = Duration.ofMinutes(15);
    /** How long a refused refresh waits for a concurrent writer's rotated tokens to land before giving up on the grant. */
    static final Duration CONCURRENT_WRITER_GRACE = Duration.ofMillis(300);

    private final ConnectionStore store;
    private final TokenRefresher refresher;
    private final RefreshOutcomes outcomes;
    private final Clock clock;
    private final Timing timing;
    private final AccessTokenCache cache = new AccessTokenCache();
    private final Map<String, Instant> useRecorded = new ConcurrentHashMap<>();
    private final Object[] stripes = new Object[STRIPES];

    /** Timing of the broker: the expiry margin, how often the row is re-read, and how waits are made. */
    public record Timing(Duration clockSkew, Duration statusRecheck, Sleeper sleeper) {
        public Timing {
            Objects.requireNonNull(clockSkew, "'clockSkew' cannot be null.");
            Objects.requireNonNull(statusRecheck, "'statusRecheck' cannot be null.");
            Objects.requireNonNull(sleeper, "'sleeper' cannot be null.");
        }
    }

    public TokenBroker(ConnectionStore store, TokenSealer sealer, MsalClients msal, RefreshOutcomes outcomes, Clock clock, Timing timing) {
        this.store = Objects.requireNonNull(store, "'store' cannot be null.");
        this.refresher = new TokenRefresher(sealer, msal, clock);
        this.outcomes = Objects.requireNonNull(outcomes, "'outcomes' cannot be null.");
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
        this.timing = Objects.requireNonNull(timing, "'timing' cannot be null.");
        Arrays.setAll(stripes, i -> new Object());
    }

    private enum Mode { CACHED_OR_REFRESHED, REFRESHED, WITH_CLAIMS }

    private enum Caller { ACTION, MAINTENANCE }

    /** One acquisition: which scopes, how, with which claims, and for whom (an action records the use). */
    private record Request(String connectionId, Set<String> scopes, Mode mode, String claims, Caller caller) {
    }

    /**
     * A token for an action that needs {@code scopes} (short Graph permission names). Refused before
     * any Graph call when the connection is not active ({@code reauth_required}, 409) or lacks the
     * scopes ({@code missing_permissions}, 403).
     */
    public AccessToken tokenFor(String connectionId, Set<String> scopes) {
        return tokenFor(ConnectionRef.of(connectionId, null), scopes);
    }

    /** {@link #tokenFor(String, Set)} for a connection the caller expects to belong to an owner: another owner's answers not found. */
    public AccessToken tokenFor(ConnectionRef ref, Set<String> scopes) {
        String connectionId = ref.id();
        Instant now = clock.instant();
        Optional<AccessTokenCache.Entry> hit = cache.get(connectionId, scopes).filter(e -> fresh(e.token(), now));
        hit.ifPresent(entry -> ref.admit(entry.token().connection()));
        Connection current = null;
        if (hit.isPresent()) {
            AccessTokenCache.Entry entry = hit.get();
            if (now.isBefore(entry.checkedAt().plus(timing.statusRecheck()))) {
                recordUse(entry.token().connection(), now);
                return entry.token();
            }
            current = usable(ref, scopes);
            if (Objects.equals(current.tokens(), entry.token().connection().tokens())) {
                AccessToken token = new AccessToken(entry.token().value(), entry.token().expiresAt(), current);
                cache.put(scopes, token, now);
                recordUse(current, now);
                return token;
            }
            // Another instance renewed the tokens (perhaps because this token was rejected there): use its.
            cache.forget(connectionId);
        }
        synchronized (stripe(connectionId)) {
            Optional<AccessTokenCache.Entry> again = cache.get(connectionId, scopes).filter(e -> fresh(e.token(), clock.instant()));
            if (again.isPresent()) { // another caller refreshed while this one waited, perhaps for the right owner only
                ref.admit(again.get().token().connection());
                return again.get().token();
            }
            AccessToken token = acquire(new Request(connectionId, scopes, Mode.CACHED_OR_REFRESHED, null, Caller.ACTION),
                    current != null ? current : usable(ref, scopes));
            cache.put(scopes, token, clock.instant());
            recordUse(token.connection(), now);
            return token;
        }
    }

    /**
     * A new token after Microsoft Graph answered 401 to {@code rejected}. With {@code claims} (a
     * Continuous Access Evaluation challenge) the refresh carries them; when Entra ID then needs the
     * user, the connection becomes needs_reauth and this throws {@code reauth_required}. Without
     * claims: the tokens another instance stored meanwhile, else a forced refresh.
     */
    public AccessToken renewRejected(AccessToken rejected, Set<String> scopes, Optional<String> claims) {
        String connectionId = rejected.connection().id();
        cache.forget(connectionId);
        synchronized (stripe(connectionId)) {
            Connection current = usable(ConnectionRef.of(connectionId, null), scopes);
            AccessToken token;
            if (claims.isPresent()) {
                token = acquire(new Request(connectionId, scopes, Mode.WITH_CLAIMS, claims.get(), Caller.ACTION), current);
            } else {
                token = Objects.equals(current.tokens(), rejected.connection().tokens()) ? null
                        : acquire(new Request(connectionId, scopes, Mode.CACHED_OR_REFRESHED, null, Caller.ACTION), current);
                if (token == null || token.value().equals(rejected.value())) {
                    token = acquire(new Request(connectionId, scopes, Mode.REFRESHED, null, Caller.ACTION), null);
                }
            }
            cache.put(scopes, token, clock.instant());
            return token;
        }
    }

    /**
     * Refreshes the connection's tokens now, for the maintenance worker: redeems the refresh token and
     * stores the rotated cache and the next due time. Throws like {@link #tokenFor}.
     */
    public AccessToken refreshNow(String connectionId) {
        ConnectionRef ref = ConnectionRef.of(connectionId, null);
        return refreshNow(store.find(connectionId).orElseThrow(ref::notFound));
    }

    /** {@link #refreshNow(String)} for a connection the caller just read (saves reading it again). */
    public AccessToken refreshNow(Connection connection) {
        synchronized (stripe(connection.id())) {
            return acquire(new Request(connection.id(), connection.scopesToRefresh(), Mode.REFRESHED, null, Caller.MAINTENANCE), connection);
        }
    }

    /** Forgets cached tokens of a connection (after a disconnect on this instance). */
    public void forget(String connectionId) {
        cache.forget(connectionId);
        useRecorded.remove(connectionId);
    }

    /** @param alreadyRead the connection as the caller read it, used for the first attempt; null to read it */
    private AccessToken acquire(Request request, Connection alreadyRead) {
        for (int attempt = 1; ; attempt++) {
            Connection c = attempt == 1 && alreadyRead != null ? check(alreadyRead, request.scopes())
                    : usable(ConnectionRef.of(request.connectionId(), null), request.scopes());
            TokenRefresher.Acquired acquired;
            try {
                acquired = switch (request.mode()) {
                    case CACHED_OR_REFRESHED -> refresher.cachedOrRefreshed(c, request.scopes());
                    case REFRESHED -> refresher.refreshed(c, request.scopes());
                    case WITH_CLAIMS -> refresher.refreshedWithClaims(c, request.scopes(), request.claims());
                };
            } catch (TokenRefresher.Failed e) {
                RefreshFailure failure = forRequest(e.failure(), request);
                if (failure.kind() != RefreshFailure.Kind.PERMANENT) {
                    outcomes.retryLater(c.id(), failure);
                    throw new RefreshFailedException(c.id(), c.cloud(), failure);
                }
                if (failure.code() != ProblemCode.TOKEN_UNREADABLE && changedMeanwhile(c)) {
                    continue; // another instance rotated the refresh token: use its tokens
                }
                if (outcomes.needsReauth(c, failure)) {
                    forget(c.id());
                    throw new ConnectorException(ProblemCode.REAUTH_REQUIRED, "The user's Microsoft 365 sign-in no longer works ("
                            + failure.code().code() + "); they must connect again.", c.id(), null);
                }
                if (attempt >= ConnectionUpdates.MAX_ATTEMPTS) {
                    throw new RefreshFailedException(c.id(), c.cloud(), failure);
                }
                continue; // another writer stored new tokens meanwhile: use those
            }
            if (!acquired.renewed()) {
                return new AccessToken(acquired.accessToken(), acquired.expiresAt(), c);
            }
            Instant lastUsed = request.caller() == Caller.ACTION ? clock.instant() : c.refresh().lastUsedAt();
            Optional<Connection> saved = outcomes.renewed(c, acquired.renewedTokens(), acquired.expiresAt(), lastUsed);
            if (saved.isPresent()) {
                if (request.caller() == Caller.ACTION) {
                    useRecorded.put(c.id(), lastUsed);
                }
                return new AccessToken(acquired.accessToken(), acquired.expiresAt(), saved.get());
            }
            if (attempt >= ConnectionUpdates.MAX_ATTEMPTS) {
                throw new ConnectorException(ProblemCode.TEMPORARILY_UNAVAILABLE,
                        "Connection " + c.id() + " is being updated by many requests at once; try again.", c.id(), null);
            }
            LOG.fine("Connection " + c.id() + " changed during a refresh; re-reading it (attempt " + attempt + ")");
        }
    }

    /** A claims challenge that Entra ID cannot satisfy without the user is recorded as such. */
    private static RefreshFailure forRequest(RefreshFailure failure, Request request) {
        if (request.mode() == Mode.WITH_CLAIMS && failure.code() == ProblemCode.REAUTH_REQUIRED) {
            return new RefreshFailure(RefreshFailure.Kind.PERMANENT, ProblemCode.INTERACTION_REQUIRED, failure.retryAfter(),
                    "claims challenge: " + failure.summary());
        }
        return failure;
    }

    /**
     * A refresh token refused as already used may have been rotated by another instance whose write
     * has not landed yet: wait a moment and look again before concluding the grant is dead.
     */
    private boolean changedMeanwhile(Connection read) {
        timing.sleeper().sleep(CONCURRENT_WRITER_GRACE);
        return store.find(read.id()).map(now -> !Objects.equals(now.tokens(), read.tokens())).orElse(false);
    }

    /**
     * The first of {@code alternatives} (sets of scopes) the connection holds, or empty; refused like
     * {@link #tokenFor} when it is unknown, another owner's or not active. No Table read while this
     * instance holds a token of it checked within {@code statusRecheck}.
     */
    public Optional<Set<String>> firstHeld(ConnectionRef ref, List<Set<String>> alternatives) {
        Connection c = cache.connection(ref.id(), clock.instant().minus(timing.statusRecheck())).map(ref::admit)
                .orElseGet(() -> usable(ref, Set.of()));
        return alternatives.stream().filter(scopes -> c.grantedScopes().containsAll(scopes)).findFirst();
    }

    /** The connection if it exists and is the expected owner's (else the same not-found answer), then checked for use. */
    private Connection usable(ConnectionRef ref, Set<String> scopes) {
        return check(ref.admit(store.find(ref.id()).orElseThrow(ref::notFound)), scopes);
    }

    private Connection check(Connection c, Set<String> scopes) {
        if (c.status() != ConnectionStatus.ACTIVE || c.tokens() == null || c.account() == null) {
            forget(c.id());
            String why = switch (c.status()) {
                case PENDING -> "The user has not finished connecting Microsoft 365 yet.";
                case DISCONNECTED -> "The connection was disconnected; connect again to use it.";
                default -> "The user's Microsoft 365 sign-in no longer works"
                        + (c.refresh().lastErrorCode() == null ? "" : " (" + c.refresh().lastErrorCode() + ")") + "; they must connect again.";
            };
            throw new ConnectorException(ProblemCode.REAUTH_REQUIRED, why, c.id(), null);
        }
        Set<String> missing = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        missing.addAll(scopes);
        missing.removeAll(c.grantedScopes());
        if (!missing.isEmpty()) {
            throw new ConnectorException(ProblemCode.MISSING_PERMISSIONS, "The connection lacks " + String.join(", ", missing)
                    + " for this action. Reconnect with the feature that needs it (POST /api/connections with connectionId).", c.id(), null);
        }
        return c;
    }

    private boolean fresh(AccessToken token, Instant now) {
        return now.isBefore(token.expiresAt().minus(timing.clockSkew()));
    }

    private void recordUse(Connection read, Instant now) {
        Instant stored = Objects.requireNonNullElse(read.refresh().lastUsedAt(), Instant.MIN);
        Instant last = useRecorded.merge(read.id(), stored, (a, b) -> a.isAfter(b) ? a : b);
        if (last.equals(Instant.MIN) || now.isAfter(last.plus(USE_RECORD_INTERVAL))) {
            useRecorded.put(read.id(), now);
            try {
                store.recordUse(read.id(), now);
            } catch (RuntimeException e) {
                LOG.fine("Could not record use of " + read.id() + ": " + e.getClass().getSimpleName());
            }
        }
    }

    private Object stripe(String connectionId) {
        return stripes[Math.floorMod(connectionId.hashCode(), STRIPES)];
    }
}
