package io.m365connector.tokens;

import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.connection.Feature;
import io.m365connector.connection.StatusListener;
import io.m365connector.crypto.TokenDecryptionException;
import io.m365connector.crypto.TokenSealer;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAccount;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.SilentParameters;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.connection.Connection.RefreshState;
import java.net.MalformedURLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Access tokens for a connection. Warm path: a per-instance memory cache keyed by connection and
 * scopes, used until {@code clockSkew} before expiry, with the connection's status re-read at most
 * every {@code statusRecheck} (so a disconnect on another instance takes effect within that time).
 * Miss: read the row, open the sealed MSAL cache, acquire silently (MSAL refreshes when needed),
 * and persist a rotated cache with the row's ETag. On an ETag conflict the row is re-read and the
 * acquisition retried with the other writer's (newer) tokens; nothing is overwritten.
 *
 * <p>A refresh that fails permanently (revoked, expired, policy) marks the connection needs_reauth,
 * unless another writer stored working tokens meanwhile: then those are used instead.
 */
public final class TokenBroker {
    private static final Logger LOG = Logger.getLogger(TokenBroker.class.getName());
    private static final int MAX_ATTEMPTS = 4;
    private static final int STRIPES = 256;
    private static final int MAX_CACHED = 50_000;
    /** How often an action's use of a connection is written to its row (for the refresh policy). */
    private static final Duration USE_RECORD_INTERVAL = Duration.ofMinutes(15);
    /** How long a refused refresh waits for a concurrent writer's rotated tokens to land before giving up on the grant. */
    private static final Duration CONCURRENT_WRITER_GRACE = Duration.ofMillis(300);

    private final ConnectionStore store;
    private final TokenSealer sealer;
    private final MsalClients msal;
    private final RefreshPolicy policy;
    private final Clock clock;
    private final Duration clockSkew;
    private final Duration statusRecheck;
    private final StatusListener listener;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Map<String, Instant> useRecorded = new ConcurrentHashMap<>();
    private final Object[] stripes = new Object[STRIPES];

    public TokenBroker(ConnectionStore store, TokenSealer sealer, MsalClients msal, RefreshPolicy policy, Clock clock,
                       Duration clockSkew, Duration statusRecheck, StatusListener listener) {
        this.listener = listener;
        this.store = store;
        this.sealer = sealer;
        this.msal = msal;
        this.policy = policy;
        this.clock = clock;
        this.clockSkew = clockSkew;
        this.statusRecheck = statusRecheck;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    /** A bearer token and when it expires. */
    public record AccessToken(String value, Instant expiresAt, Connection connection) {
        @Override
        public String toString() {
            return "AccessToken[expiresAt=" + expiresAt + ", value=REDACTED]";
        }
    }

    private record Cached(String token, Instant expiresAt, Connection connection, Instant checkedAt) {
        @Override
        public String toString() {
            return "Cached[expiresAt=" + expiresAt + "]";
        }
    }

    /**
     * A token for an action that needs {@code scopes} (short Graph permission names). Refused before
     * any Graph call when the connection is not active ({@code reauth_required}, 409) or lacks the
     * scopes ({@code missing_permissions}, 403).
     */
    public AccessToken tokenFor(String connectionId, Set<String> scopes) {
        String key = connectionId + " " + String.join(" ", sorted(scopes));
        Instant now = clock.instant();
        Cached hit = cache.get(key);
        if (hit != null && now.isBefore(hit.expiresAt.minus(clockSkew))) {
            if (now.isBefore(hit.checkedAt.plus(statusRecheck))) {
                recordUse(connectionId, now);
                return new AccessToken(hit.token, hit.expiresAt, hit.connection);
            }
            Connection current = usable(connectionId, scopes);
            cache.put(key, new Cached(hit.token, hit.expiresAt, current, now));
            recordUse(connectionId, now);
            return new AccessToken(hit.token, hit.expiresAt, current);
        }
        synchronized (stripe(connectionId)) {
            Cached again = cache.get(key);
            if (again != null && clock.instant().isBefore(again.expiresAt.minus(clockSkew))) {
                return new AccessToken(again.token, again.expiresAt, again.connection);
            }
            AccessToken token = acquire(connectionId, scopes, false, true, null);
            remember(key, token);
            return token;
        }
    }

    /**
     * Refreshes the connection's tokens now (force), for the maintenance worker: redeems the refresh
     * token, persists the rotated cache and the next due time. Throws like {@link #tokenFor}.
     */
    public AccessToken refreshNow(String connectionId) {
        return refreshNow(store.find(connectionId).orElseThrow(() -> notFound(connectionId)));
    }

    /** {@link #refreshNow(String)} for a connection the caller just read (saves reading it again). */
    public AccessToken refreshNow(Connection connection) {
        synchronized (stripe(connection.id())) {
            return acquire(connection.id(), refreshScopes(connection), true, false, connection);
        }
    }

    /** Forgets cached tokens of a connection (after a disconnect on this instance). */
    public void forget(String connectionId) {
        cache.keySet().removeIf(k -> k.startsWith(connectionId + " "));
        useRecorded.remove(connectionId);
    }

    /** @param alreadyRead the connection as the caller read it, used for the first attempt; null to read it */
    private AccessToken acquire(String connectionId, Set<String> scopes, boolean force, boolean byAction, Connection alreadyRead) {
        for (int attempt = 1; ; attempt++) {
            Connection c = attempt == 1 && alreadyRead != null ? check(alreadyRead, scopes) : usable(connectionId, scopes);
            Instant now = clock.instant();
            TokenCacheSlot slot;
            try {
                slot = new TokenCacheSlot(sealer.open(c.id(), c.cloud(), c.tokens()));
            } catch (TokenDecryptionException e) {
                markNeedsReauth(c, new RefreshFailure(RefreshFailure.Kind.PERMANENT, ProblemCode.TOKEN_UNREADABLE,
                        java.util.Optional.empty(), "stored tokens failed authentication"));
                throw reauth(c.id(), ProblemCode.TOKEN_UNREADABLE);
            }
            IAuthenticationResult result;
            try {
                // The same authority tenant as sign-in: MSAL files access tokens under the authority's
                // tenant, so a tenant-specific authority here would miss the token from sign-in and refresh.
                ConfidentialClientApplication app = msal.newApp(c.cloud(), msal.registration(c.cloud()).defaultTenant(), slot);
                IAccount account = accountOf(app, c);
                result = app.acquireTokenSilently(SilentParameters.builder(scopes, account).forceRefresh(force).build()).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectorException(ProblemCode.TEMPORARILY_UNAVAILABLE, "Interrupted while getting a token.", c.id(), e);
            } catch (Exception e) {
                RefreshFailure failure = RefreshFailure.classify(e);
                if (failure.kind() == RefreshFailure.Kind.PERMANENT) {
                    if (changedMeanwhile(c)) {
                        continue; // another instance rotated the refresh token: use its tokens
                    }
                    if (markNeedsReauth(c, failure)) {
                        throw reauth(c.id(), failure.code());
                    }
                    if (attempt < MAX_ATTEMPTS) {
                        continue; // another writer stored new tokens meanwhile: use those
                    }
                }
                throw new RefreshFailedException(c.id(), failure, e);
            }
            Instant expiresAt = result.expiresOnDate().toInstant();
            if (!slot.changed()) {
                return new AccessToken(result.accessToken(), expiresAt, c);
            }
            RefreshState refresh = new RefreshState(expiresAt,
                    policy.nextDue(now, expiresAt, byAction ? now : c.refresh().lastUsedAt()), now, null, 0,
                    byAction ? now : c.refresh().lastUsedAt());
            Connection rotated = c.toBuilder().tokens(sealer.seal(c.id(), c.cloud(), slot.data())).refresh(refresh).updatedAt(now).build();
            try {
                Connection saved = store.update(rotated);
                if (byAction) {
                    useRecorded.put(c.id(), now);
                }
                return new AccessToken(result.accessToken(), expiresAt, saved);
            } catch (ConcurrentUpdateException e) {
                Connection revived = reviveIfOnlyMarked(c, rotated);
                if (revived != null) {
                    return new AccessToken(result.accessToken(), expiresAt, revived);
                }
                if (attempt >= MAX_ATTEMPTS) {
                    throw new ConnectorException(ProblemCode.TEMPORARILY_UNAVAILABLE,
                            "Connection " + c.id() + " is being updated by many requests at once; try again.", c.id(), e);
                }
                LOG.fine("Connection " + c.id() + " changed during a refresh; re-reading it (attempt " + attempt + ")");
            }
        }
    }

    /**
     * A refresh token refused as already used may have been rotated by another instance whose write
     * has not landed yet: wait a moment and look again before concluding the grant is dead.
     */
    private boolean changedMeanwhile(Connection read) {
        try {
            Thread.sleep(CONCURRENT_WRITER_GRACE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return store.find(read.id()).map(now -> !java.util.Objects.equals(now.tokens(), read.tokens())).orElse(false);
    }

    /**
     * Our refresh succeeded but the row changed meanwhile. If the only change is another instance
     * marking it needs_reauth (its refresh lost the race with ours and saw the old refresh token
     * refused), our tokens are the newest working ones: store them and make the connection active again.
     */
    private Connection reviveIfOnlyMarked(Connection read, Connection rotated) {
        Connection current = store.find(read.id()).orElse(null);
        if (current == null || current.status() != ConnectionStatus.NEEDS_REAUTH
                || !java.util.Objects.equals(current.tokens(), read.tokens())) {
            return null;
        }
        try {
            Connection revived = store.update(rotated.toBuilder().version(current.version()).status(ConnectionStatus.ACTIVE).build());
            listener.statusChanged(current, revived);
            LOG.info("Connection " + read.id() + " was marked needs_reauth by a refresh that raced a successful one; kept it active.");
            return revived;
        } catch (ConcurrentUpdateException e) {
            return null;
        }
    }

    /**
     * Marks the connection needs_reauth, unless it changed since it was read (then another writer
     * may hold working tokens and the caller retries). Returns true when marked.
     */
    private boolean markNeedsReauth(Connection c, RefreshFailure failure) {
        Instant now = clock.instant();
        Connection marked = c.toBuilder().status(ConnectionStatus.NEEDS_REAUTH)
                .refresh(new RefreshState(c.refresh().accessTokenExpiresAt(), null, c.refresh().lastRefreshAt(),
                        failure.code().code(), c.refresh().failureCount() + 1, c.refresh().lastUsedAt()))
                .updatedAt(now).build();
        try {
            Connection saved = store.update(marked);
            forget(c.id());
            listener.statusChanged(c, saved);
            LOG.warning("Connection " + c.id() + " needs the user to connect again: " + failure.code().code() + " (" + failure.summary() + ")");
            return true;
        } catch (ConcurrentUpdateException e) {
            return false;
        }
    }

    private Connection usable(String connectionId, Set<String> scopes) {
        return check(store.find(connectionId).orElseThrow(() -> notFound(connectionId)), scopes);
    }

    private Connection check(Connection c, Set<String> scopes) {
        String connectionId = c.id();
        if (c.status() != ConnectionStatus.ACTIVE || c.tokens() == null || c.account() == null) {
            forget(connectionId);
            String why = switch (c.status()) {
                case PENDING -> "The user has not finished connecting Microsoft 365 yet.";
                case DISCONNECTED -> "The connection was disconnected; connect again to use it.";
                default -> "The user's Microsoft 365 sign-in no longer works"
                        + (c.refresh().lastErrorCode() == null ? "" : " (" + c.refresh().lastErrorCode() + ")") + "; they must connect again.";
            };
            throw new ConnectorException(ProblemCode.REAUTH_REQUIRED, why, connectionId, null);
        }
        Set<String> missing = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        missing.addAll(scopes);
        missing.removeAll(c.grantedScopes());
        if (!missing.isEmpty()) {
            throw new ConnectorException(ProblemCode.MISSING_PERMISSIONS, "The connection lacks " + String.join(", ", missing)
                    + " for this action. Reconnect with the feature that needs it (POST /api/connections with connectionId).", connectionId, null);
        }
        return c;
    }

    private static IAccount accountOf(ConfidentialClientApplication app, Connection c) throws Exception {
        Set<IAccount> accounts = app.getAccounts().get();
        String wanted = c.account().userObjectId() + "." + c.account().tenantId();
        for (IAccount account : accounts) {
            if (wanted.equalsIgnoreCase(account.homeAccountId())) {
                return account;
            }
        }
        if (accounts.size() == 1) {
            return accounts.iterator().next();
        }
        throw new com.microsoft.aad.msal4j.MsalClientException("no account for the connection in its cache", "no_account_in_cache");
    }

    /** Scopes for a maintenance refresh: what the connection was granted (any granted scope renews the refresh token). */
    private static Set<String> refreshScopes(Connection c) {
        Set<String> granted = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        granted.addAll(c.grantedScopes());
        Set<String> needed = Feature.scopesOf(c.features());
        needed.retainAll(granted);
        return needed.isEmpty() ? granted : needed;
    }

    private void recordUse(String connectionId, Instant now) {
        Instant last = useRecorded.get(connectionId);
        if (last == null || now.isAfter(last.plus(USE_RECORD_INTERVAL))) {
            useRecorded.put(connectionId, now);
            try {
                store.recordUse(connectionId, now);
            } catch (RuntimeException e) {
                LOG.fine("Could not record use of " + connectionId + ": " + e.getClass().getSimpleName());
            }
        }
    }

    private void remember(String key, AccessToken token) {
        if (cache.size() >= MAX_CACHED) {
            Instant now = clock.instant();
            cache.values().removeIf(c -> !now.isBefore(c.expiresAt.minus(clockSkew)));
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
        }
        cache.put(key, new Cached(token.value(), token.expiresAt(), token.connection(), clock.instant()));
    }

    private Object stripe(String connectionId) {
        return stripes[Math.floorMod(connectionId.hashCode(), STRIPES)];
    }

    private static Set<String> sorted(Set<String> scopes) {
        Set<String> s = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        s.addAll(scopes);
        return s;
    }

    private static ConnectorException notFound(String connectionId) {
        return new ConnectorException(ProblemCode.NOT_FOUND, "No such connection.", connectionId, null);
    }

    private static ConnectorException reauth(String connectionId, ProblemCode cause) {
        return new ConnectorException(ProblemCode.REAUTH_REQUIRED, "The user's Microsoft 365 sign-in no longer works ("
                + cause.code() + "); they must connect again.", connectionId, null);
    }

    /** A refresh that failed for a transient or configuration reason; the connection is unchanged. */
    public static final class RefreshFailedException extends ConnectorException implements io.m365connector.platform.Problem.ProblemExtensions {
        private final RefreshFailure failure;

        RefreshFailedException(String connectionId, RefreshFailure failure, Throwable cause) {
            super(failure.kind() == RefreshFailure.Kind.CONFIGURATION ? ProblemCode.INVALID_CLIENT_CREDENTIALS
                    : failure.code() == ProblemCode.THROTTLED ? ProblemCode.THROTTLED : ProblemCode.TEMPORARILY_UNAVAILABLE,
                    failure.kind() == RefreshFailure.Kind.CONFIGURATION
                            ? "The connector's app credentials were refused by Microsoft Entra ID; the operator must fix them."
                            : "Microsoft Entra ID could not issue a token right now; try again shortly.",
                    connectionId, null);
            this.failure = failure;
        }

        public RefreshFailure failure() {
            return failure;
        }

        /** Throttling and outages say when to retry (Entra ID's Retry-After, else 30 s for throttling). */
        @Override
        public Map<String, Object> problemExtensions() {
            if (code() != ProblemCode.THROTTLED && code() != ProblemCode.TEMPORARILY_UNAVAILABLE) {
                return Map.of();
            }
            return failure.retryAfter().<Map<String, Object>>map(d -> Map.of("retryAfterSeconds", d.toSeconds()))
                    .orElse(code() == ProblemCode.THROTTLED ? Map.of("retryAfterSeconds", 30L) : Map.of());
        }
    }
}
