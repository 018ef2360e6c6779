package io.m365connector.maintenance;

import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.connection.DueConnection;
import io.m365connector.credentials.AppCredentialStates;
import io.m365connector.credentials.AppCredentialStatus;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.tokens.RefreshFailedException;
import io.m365connector.tokens.RefreshFailure;
import io.m365connector.tokens.RefreshOutcomes;
import io.m365connector.tokens.TokenBroker;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Logger;


/**
 * Refreshes one connection for a queue message. Messages are idempotent: a duplicate or late message
 * for a connection refreshed meanwhile (its due time moved) does nothing but drop a stale index entry.
 * The outcome follows {@link RefreshFailure}'s policy table; the broker writes every outcome through {@link RefreshOutcomes}: rotated tokens and the next due
 * time; needs_reauth (and the web app is notified); or, for transient and app-credential failures,
 * the error and a backoff while the connection stays active. While the credential check says a
 * cloud's app credential is invalid, its connections are not refreshed but rescheduled. A disconnected connection, or a
 * new one nobody signed in to, is due once more, {@link Connection#REMOVED_AFTER} its last change: then it is removed. A
 * needs_reauth connection is due once, {@link RefreshOutcomes#TOKENS_KEPT_AFTER_REAUTH} after it was marked: its tokens go.
 */
public final class RefreshWorker {
    private static final Logger LOG = Logger.getLogger(RefreshWorker.class.getName());
    private final ConnectionStore store;
    private final TokenBroker broker;
    private final RefreshOutcomes outcomes;
    private final Clock clock;
    private final AppCredentialStates credentials;
    private final Removals removals;

    /**
     * What else removing a connection ({@link Connection#removable()}, due) does: {@code before} the row goes (sync marks it,
     * so that housekeeping finishes what a death leaves), {@code after} (sync deletes everything it kept, its feed too).
     */
    public record Removals(Consumer<String> before, Consumer<String> after) {
        public static final Removals NONE = new Removals(id -> { }, id -> { });
    }

    public RefreshWorker(ConnectionStore store, TokenBroker broker, RefreshOutcomes outcomes, Clock clock) {
        this(store, broker, outcomes, clock, AppCredentialStates.NONE, Removals.NONE);
    }

    /** @param credentials the last credential check per cloud: while it says invalid, Entra ID is not asked */
    public RefreshWorker(ConnectionStore store, TokenBroker broker, RefreshOutcomes outcomes, Clock clock, AppCredentialStates credentials,
                         Removals removals) {
        this.store = Objects.requireNonNull(store, "'store' cannot be null.");
        this.broker = Objects.requireNonNull(broker, "'broker' cannot be null.");
        this.outcomes = Objects.requireNonNull(outcomes, "'outcomes' cannot be null.");
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
        this.credentials = Objects.requireNonNull(credentials, "'credentials' cannot be null.");
        this.removals = Objects.requireNonNull(removals, "'removals' cannot be null.");
    }

    public enum Outcome { REFRESHED, NOT_DUE, GONE, NEEDS_REAUTH, RETRY_LATER, REMOVED, TOKENS_DROPPED }

    public Outcome handle(RefreshMessage message) {
        DueConnection entry = new DueConnection(message.connectionId(), message.dueAt());
        Connection c = store.find(message.connectionId()).orElse(null);
        if (c == null) {
            store.forgetDue(entry);
            return Outcome.GONE;
        }
        Instant now = clock.instant();
        Instant due = c.refresh().nextRefreshDue();
        boolean dueNow = due != null && !due.isAfter(now);
        if (c.removable() && dueNow) {
            return remove(c, entry);
        }
        if (c.status() == ConnectionStatus.NEEDS_REAUTH && c.tokens() != null && dueNow) {
            return outcomes.dropTokensOfNeedsReauth(c) ? Outcome.TOKENS_DROPPED : Outcome.NOT_DUE; // NOT_DUE: reconnected meanwhile
        }
        if (c.status() != ConnectionStatus.ACTIVE || !dueNow) {
            // The index keeps the due time to the millisecond (its row key), the row finer: an entry that is the row's own (an
            // instance whose clock lags the sweep's sees it not due yet) stays, or the connection would never be swept again.
            if (due == null || !isTheRowsEntry(entry, due)) {
                store.forgetDue(entry);
            }
            return Outcome.NOT_DUE;
        }
        Optional<AppCredentialStatus> appCredential = credentials.current(c.cloud())
                .filter(s -> s.state() == AppCredentialStatus.State.INVALID);
        if (appCredential.isPresent()) {
            // Every refresh of this cloud would be refused for the app's credential: not the user's fault, and
            // no reason to send Entra ID hundreds of doomed requests. Due again soon, to recover after the fix.
            outcomes.retryLater(c.id(), new RefreshFailure(RefreshFailure.Kind.CONFIGURATION, appCredential.get().code(), Optional.empty(),
                    "the " + c.cloud().id() + " app credential is invalid (credential check)"));
            return Outcome.RETRY_LATER;
        }
        try {
            broker.refreshNow(c);
            return Outcome.REFRESHED;
        } catch (RefreshFailedException e) {
            return Outcome.RETRY_LATER; // the broker recorded the failure and the next due time
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

    /** Only the row as read: a reconnect that finished meanwhile keeps its connection (and its new due time). */
    private Outcome remove(Connection c, DueConnection entry) {
        removals.before().accept(c.id());
        if (!store.deleteIfUnchanged(c)) {
            return Outcome.NOT_DUE; // kept: it changed since it was read (a reconnect), and the new row has its own due time
        }
        LOG.info("Removed connection " + c.id() + ", " + c.status().id() + " since " + c.updatedAt() + " (kept " + Connection.REMOVED_AFTER.toDays()
                + " days)");
        if (!isTheRowsEntry(entry, c.refresh().nextRefreshDue())) {
            store.forgetDue(entry); // a stale entry's message: the row's own entry went with it
        }
        removals.after().accept(c.id());
        return Outcome.REMOVED;
    }

    /** The index keeps the due time to the millisecond (its row key), the row finer. */
    private static boolean isTheRowsEntry(DueConnection entry, Instant due) {
        return due.truncatedTo(ChronoUnit.MILLIS).equals(entry.dueAt().truncatedTo(ChronoUnit.MILLIS));
    }

    /**
     * Handles one delivery of a message. When it fails on the last delivery the host will make
     * ({@code dequeueCount} reached {@code maxDequeueCount}), the connection records why before the
     * error goes back to the host, which then moves the message to the poison queue.
     */
    public Outcome handle(RefreshMessage message, long dequeueCount, long maxDequeueCount) {
        try {
            return handle(message);
        } catch (RuntimeException e) {
            if (dequeueCount >= maxDequeueCount) {
                recordPoison(message, e);
            }
            throw e;
        }
    }

    /** Called on the last delivery attempt of a message that keeps failing: the connection records why. */
    public void recordPoison(RefreshMessage message, RuntimeException error) {
        outcomes.retryLater(message.connectionId(), new RefreshFailure(RefreshFailure.Kind.TRANSIENT,
                ProblemCode.INTERNAL_ERROR, Optional.empty(), error.getClass().getSimpleName()));
    }
}
