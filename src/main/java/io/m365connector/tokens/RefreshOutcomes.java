package io.m365connector.tokens;

import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.connection.Connection.Account;
import io.m365connector.connection.Connection.RefreshState;
import io.m365connector.connection.Connection.SignInProof;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.connection.ConnectionUpdates;
import io.m365connector.connection.Feature;
import io.m365connector.connection.SealedTokens;
import io.m365connector.connection.StatusListener;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one writer of token outcomes on a connection row, whichever path got there (an action, the
 * refresh worker, the sign-in callback): tokens stored, a temporary failure with its backoff, a
 * dead grant (needs_reauth), the app's own credential refused. The status webhook and the log line
 * for each change are produced here, once.
 */
public final class RefreshOutcomes {
    private static final Logger LOG = Logger.getLogger(RefreshOutcomes.class.getName());
    static final Duration BACKOFF_BASE = Duration.ofMinutes(2);
    /** How long a needs_reauth connection keeps its (no longer working) tokens: then its one due time drops them. */
    public static final Duration TOKENS_KEPT_AFTER_REAUTH = Duration.ofDays(1);
    static final Duration BACKOFF_MAX = Duration.ofHours(6);
    /**
     * Failures of the app's own credential are retried at least this often, so connections come back
     * soon after the operator fixes it (the refresh worker skips Entra ID while the check says invalid).
     */
    static final Duration CONFIGURATION_RETRY_MAX = Duration.ofMinutes(15);

    private final ConnectionStore store;
    private final ConnectionUpdates updates;
    private final RefreshPolicy policy;
    private final Clock clock;
    private final StatusListener listener;

    public RefreshOutcomes(ConnectionStore store, RefreshPolicy policy, Clock clock, StatusListener listener) {
        this.store = Objects.requireNonNull(store, "'store' cannot be null.");
        this.updates = new ConnectionUpdates(store);
        this.policy = Objects.requireNonNull(policy, "'policy' cannot be null.");
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
        this.listener = Objects.requireNonNull(listener, "'listener' cannot be null.");
    }

    /**
     * What a completed sign-in stores; {@code completionHash}: of the code its return hands the browser, {@code sessionHash}:
     * of its login session's id (Connection.SignInProof).
     */
    public record SignIn(Account account, Set<Feature> features, Set<String> grantedScopes, SealedTokens tokens,
                         Instant accessTokenExpiresAt, String completionHash, String sessionHash) {
        @Override
        public String toString() {
            return "SignIn[account=" + account.tenantId() + "/" + account.userObjectId() + ", scopes=" + grantedScopes + "]";
        }
    }

    /**
     * Stores the tokens of a completed sign-in and makes the connection active. {@code check} sees the
     * current row first and may refuse (another account's connection); it runs again after a conflict.
     */
    public Connection signedIn(String connectionId, SignIn signIn, Consumer<Connection> check) {
        Instant now = clock.instant();
        ConnectionUpdates.Change change = updates.apply(connectionId, current -> {
            check.accept(current);
            Connection active = current.toBuilder()
                    .status(ConnectionStatus.ACTIVE)
                    .account(signIn.account())
                    .features(union(current.features(), signIn.features())) // features add up, also when two reconnects cross
                    .grantedScopes(signIn.grantedScopes())
                    .tokens(signIn.tokens())
                    .proof(new SignInProof(signIn.completionHash(), signIn.sessionHash(), null)) // proved again, for this sign-in
                    .refresh(new RefreshState(signIn.accessTokenExpiresAt(), policy.nextDue(now), now, null, 0, current.refresh().lastUsedAt()))
                    .updatedAt(now)
                    .build();
            if (isNews(current, active)) {
                listener.beforeChange(current, active); // the web app's event and sync's schedule, before the row: a death after it loses neither
            }
            return Optional.of(active);
        }).orElseThrow(() -> new ConnectorException(ProblemCode.NOT_FOUND, "Connection " + connectionId + " was removed during the sign-in."));
        if (isNews(change.before(), change.after())) {
            listener.statusChanged(change.before(), change.after());
        } else {
            listener.unchanged(change.after());
        }
        return change.after();
    }

    private static Set<Feature> union(Set<Feature> a, Set<Feature> b) {
        Set<Feature> all = EnumSet.noneOf(Feature.class);
        all.addAll(a);
        all.addAll(b);
        return all;
    }

    /**
     * A new completion code for the sign-in of the session {@code sessionHash}, if it is the one whose tokens the connection
     * holds and it is not proved yet (a browser that repeated its callback, a reload while the first answer was slow, may
     * never have got the first code); the connection unchanged when that sign-in was proved already. Empty when the
     * connection holds another sign-in's tokens, or none yet (the first callback still at work, or failed), or is not active.
     */
    public Optional<Connection> reissueCompletion(String connectionId, String sessionHash, String completionHash) {
        return updates.apply(connectionId, current -> holdsSignIn(current, sessionHash) && !current.proof().confirmed()
                        ? Optional.of(current.toBuilder().proof(current.proof().reissued(completionHash)).build())
                        : Optional.<Connection>empty())
                // proved already: nothing to reissue, the proved code stays valid and the connection is the answer
                .map(ConnectionUpdates.Change::after).filter(c -> holdsSignIn(c, sessionHash));
    }

    private static boolean holdsSignIn(Connection c, String sessionHash) {
        return c.proof() != null && sessionHash.equals(c.proof().sessionHash()) && c.status() == ConnectionStatus.ACTIVE;
    }

    /**
     * Stores tokens a refresh renewed, on the row as it was read (a refresh token is never written
     * over a newer one). Empty when the row changed meanwhile: the caller reads it again and uses the
     * other writer's tokens. {@code lastUsedAt} is now for an action, the row's value for maintenance.
     */
    Optional<Connection> renewed(Connection read, SealedTokens tokens, Instant expiresAt, Instant lastUsedAt) {
        Instant now = clock.instant();
        Connection rotated = read.toBuilder().tokens(tokens)
                .refresh(new RefreshState(expiresAt, policy.nextDue(now, expiresAt, lastUsedAt), now, null, 0, lastUsedAt))
                .updatedAt(now).build();
        try {
            return Optional.of(store.update(rotated));
        } catch (ConcurrentUpdateException e) {
            return reviveIfOnlyMarked(read, rotated);
        }
    }

    /**
     * The refresh token no longer works: needs_reauth, with the reason as its last error code, but
     * only if the row is still as read (another writer may have stored working tokens). True when marked.
     */
    boolean needsReauth(Connection read, RefreshFailure failure) {
        Connection marked = read.toBuilder().status(ConnectionStatus.NEEDS_REAUTH)
                .refresh(new RefreshState(read.refresh().accessTokenExpiresAt(), clock.instant().plus(TOKENS_KEPT_AFTER_REAUTH),
                        read.refresh().lastRefreshAt(),
                        failure.code().code(), read.refresh().failureCount() + 1, read.refresh().lastUsedAt()))
                .updatedAt(clock.instant()).build();
        listener.beforeChange(read, marked); // the web app's event is queued before the row: a death after the row loses none
        try {
            Connection saved = store.update(marked);
            listener.statusChanged(read, saved);
            LOG.warning("Connection " + read.id() + " needs the user to connect again: " + failure.code().code() + " (" + failure.summary() + ")");
            return true;
        } catch (ConcurrentUpdateException e) {
            return false;
        }
    }

    /**
     * A needs_reauth connection's tokens, {@link #TOKENS_KEPT_AFTER_REAUTH} after it was marked: they no longer work, and
     * only a refresh that raced the marking ({@code reviveIfOnlyMarked}, within minutes) could still use them. The row,
     * its status and its sync state stay for the web app. True when dropped; false when the row changed (a reconnect).
     */
    public boolean dropTokensOfNeedsReauth(Connection read) {
        Connection dropped = read.toBuilder().tokens(null).refresh(read.refresh().withNextRefreshDue(null)).build();
        try {
            store.update(dropped);
            LOG.info("Dropped the tokens of connection " + read.id() + " (needs_reauth since " + read.updatedAt() + ")");
            return true;
        } catch (ConcurrentUpdateException e) {
            return false;
        }
    }

    /**
     * A temporary failure, or the app's own credential refused: the connection stays active, records
     * the error and is due again after a backoff (or Entra ID's Retry-After when longer).
     */
    public void retryLater(String connectionId, RefreshFailure failure) {
        try {
            recordFailure(connectionId, failure);
        } catch (ConcurrentUpdateException busy) {
            // Other writers kept the row busy: the failure goes unrecorded (the connection stays due), and the caller's answer
            // is still the refresh's (a 503, not a 409 concurrent_update).
            LOG.info("Refresh failure of " + connectionId + " not recorded: the row kept changing (" + failure.code().code() + ")");
        }
    }

    private void recordFailure(String connectionId, RefreshFailure failure) {
        Instant now = clock.instant();
        updates.apply(connectionId, c -> {
            if (c.status() != ConnectionStatus.ACTIVE) {
                return Optional.empty();
            }
            int failures = c.refresh().failureCount() + 1;
            Duration backoff = backoff(failures);
            // Retry-After only lengthens the wait (a connection Entra keeps throttling backs off like any other), and up to a
            // fifth more is added to it: connections throttled together must not all come back at the same instant
            Duration wait = failure.retryAfter().filter(d -> d.compareTo(backoff) > 0).map(RefreshOutcomes::afterRetryAfter).orElse(backoff);
            if (failure.kind() == RefreshFailure.Kind.CONFIGURATION && wait.compareTo(CONFIGURATION_RETRY_MAX) > 0) {
                // spread below the ceiling: every connection of the cloud fails at once, and must not come back at once
                wait = spread(CONFIGURATION_RETRY_MAX, 0.8, 1.0);
            }
            RefreshState r = c.refresh();
            return Optional.of(c.toBuilder().refresh(new RefreshState(r.accessTokenExpiresAt(), now.plus(wait), r.lastRefreshAt(),
                    failure.code().code(), failures, r.lastUsedAt())).updatedAt(now).build());
        }).filter(ConnectionUpdates.Change::changed).ifPresent(change -> LOG.log(level(failure, change.after()), "Refresh of " + connectionId
                + " failed (" + failure.kind() + ", " + failure.code().code() + ": " + failure.summary() + "); due again at "
                + change.after().refresh().nextRefreshDue() + " (failure " + change.after().refresh().failureCount() + ")"));
    }

    /**
     * Our refresh succeeded but the row changed meanwhile. If the only change is another instance
     * marking it needs_reauth (its refresh lost the race with ours and saw the old refresh token
     * refused), our tokens are the newest working ones: store them and make the connection active again.
     */
    private Optional<Connection> reviveIfOnlyMarked(Connection read, Connection rotated) {
        Connection current = store.find(read.id()).orElse(null);
        if (current == null || current.status() != ConnectionStatus.NEEDS_REAUTH || !Objects.equals(current.tokens(), read.tokens())) {
            return Optional.empty();
        }
        try {
            Connection reviving = rotated.toBuilder().version(current.version()).status(ConnectionStatus.ACTIVE).build();
            listener.beforeChange(current, reviving);
            Connection revived = store.update(reviving);
            listener.statusChanged(current, revived);
            LOG.info("Connection " + read.id() + " was marked needs_reauth by a refresh that raced a successful one; kept it active.");
            return Optional.of(revived);
        } catch (ConcurrentUpdateException e) {
            return Optional.empty();
        }
    }

    /** A new status, or a reconnect that changed the features (sync starts or stops for them): listeners hear of it. */
    private static boolean isNews(Connection before, Connection after) {
        return before.status() != after.status() || !before.features().equals(after.features());
    }

    /**
     * The app credential's failures hit every connection of a cloud at once; the credential check logs
     * its state change once, so each connection says so only on its first such failure.
     */
    private static Level level(RefreshFailure failure, Connection after) {
        return failure.kind() == RefreshFailure.Kind.CONFIGURATION && after.refresh().failureCount() > 1 ? Level.FINE : Level.WARNING;
    }

    /** Entra ID's Retry-After, and up to 20% more (never less, except below the app credential's 15-minute ceiling). */
    static Duration afterRetryAfter(Duration retryAfter) {
        return spread(retryAfter, 1.0, 1.2);
    }

    /** A random part of {@code d} between {@code low} and {@code high} times it, so that failures do not retry in lockstep. */
    private static Duration spread(Duration d, double low, double high) {
        return Duration.ofMillis((long) (d.toMillis() * (low + ThreadLocalRandom.current().nextDouble() * (high - low))));
    }

    /** Exponential from 2 minutes, capped at 6 hours, with +-20% jitter so failures do not retry in lockstep. */
    static Duration backoff(int failures) {
        long base = BACKOFF_BASE.toMillis() << Math.min(Math.max(failures, 1) - 1, 20);
        return spread(Duration.ofMillis(Math.min(base, BACKOFF_MAX.toMillis())), 0.8, 1.2);
    }
}
