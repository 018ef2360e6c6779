package io.m365connector.maintenance;

import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.connection.Connection;
import io.m365connector.connection.Connection.RefreshState;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.connection.DueConnection;
import io.m365connector.tokens.RefreshFailure;
import io.m365connector.tokens.TokenBroker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * Refreshes one connection for a queue message. Messages are idempotent: a duplicate or late message
 * for a connection refreshed meanwhile (its due time moved) does nothing but drop a stale index entry.
 * The outcome follows {@link RefreshFailure}'s policy table:
 * <ul>
 *   <li>success: the broker stored the rotated tokens (under the newest key version) and the next due time;</li>
 *   <li>permanent: the broker marked the connection needs_reauth (and the web app is notified);</li>
 *   <li>transient or configuration: the connection stays active and is due again after a backoff with jitter
 *       (or Entra ID's Retry-After).</li>
 * </ul>
 */
public final class RefreshWorker {
    private static final Logger LOG = Logger.getLogger(RefreshWorker.class.getName());
    static final Duration BACKOFF_BASE = Duration.ofMinutes(2);
    static final Duration BACKOFF_MAX = Duration.ofHours(6);

    private final ConnectionStore store;
    private final TokenBroker broker;
    private final Clock clock;

    public RefreshWorker(ConnectionStore store, TokenBroker broker, Clock clock) {
        this.store = store;
        this.broker = broker;
        this.clock = clock;
    }

    public enum Outcome { REFRESHED, NOT_DUE, GONE, NEEDS_REAUTH, RETRY_LATER }

    public Outcome handle(RefreshMessage message) {
        DueConnection entry = new DueConnection(message.connectionId(), message.dueAt());
        Connection c = store.find(message.connectionId()).orElse(null);
        if (c == null) {
            store.forgetDue(entry);
            return Outcome.GONE;
        }
        Instant now = clock.instant();
        Instant due = c.refresh().nextRefreshDue();
        if (c.status() != ConnectionStatus.ACTIVE || due == null || due.isAfter(now)) {
            if (!Objects.equals(due, message.dueAt())) {
                store.forgetDue(entry);
            }
            return Outcome.NOT_DUE;
        }
        try {
            broker.refreshNow(c);
            return Outcome.REFRESHED;
        } catch (TokenBroker.RefreshFailedException e) {
            scheduleRetry(c.id(), e.failure());
            return Outcome.RETRY_LATER;
        } catch (ConnectorException e) {
            if (e.code() == ProblemCode.REAUTH_REQUIRED) {
                return Outcome.NEEDS_REAUTH;
            }
            if (e.code() == ProblemCode.NOT_FOUND) {
                return Outcome.GONE;
            }
            throw e;
        }
    }

    /** Called on the last delivery attempt of a message that keeps failing: the connection records why. */
    public void recordPoison(RefreshMessage message, RuntimeException error) {
        store.find(message.connectionId()).ifPresent(c -> scheduleRetry(c.id(), new RefreshFailure(RefreshFailure.Kind.TRANSIENT,
                ProblemCode.INTERNAL_ERROR, java.util.Optional.empty(), error.getClass().getSimpleName())));
    }

    private void scheduleRetry(String connectionId, RefreshFailure failure) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Connection c = store.find(connectionId).orElse(null);
            if (c == null || c.status() != ConnectionStatus.ACTIVE) {
                return;
            }
            Instant now = clock.instant();
            int failures = c.refresh().failureCount() + 1;
            Duration wait = failure.retryAfter().filter(d -> d.compareTo(BACKOFF_BASE) > 0).orElse(backoff(failures));
            RefreshState r = c.refresh();
            Connection updated = c.toBuilder().refresh(new RefreshState(r.accessTokenExpiresAt(), now.plus(wait), r.lastRefreshAt(),
                    failure.code().code(), failures, r.lastUsedAt())).updatedAt(now).build();
            try {
                store.update(updated);
                LOG.warning("Refresh of " + connectionId + " failed (" + failure.kind() + ", " + failure.code().code() + ": "
                        + failure.summary() + "); retrying in " + wait.toMinutes() + " min (failure " + failures + ")");
                return;
            } catch (ConcurrentUpdateException e) {
                // re-read and decide again
            }
        }
    }

    /** Exponential from 2 minutes, capped at 6 hours, with +-20% jitter so failures do not retry in lockstep. */
    static Duration backoff(int failures) {
        long base = BACKOFF_BASE.toMillis() << Math.min(failures - 1, 20);
        long capped = Math.min(base, BACKOFF_MAX.toMillis());
        double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
        return Duration.ofMillis((long) (capped * jitter));
    }
}
