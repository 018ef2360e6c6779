package io.m365connector.sync;

import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.graph.GraphAccess;
import io.m365connector.graph.GraphSession;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * Keeps a connection's synced resources in step and serves its change feed. A sync request (from a
 * notification, the timer, a lifecycle event) runs the resource's delta once: a request made before a
 * run that started later and completed is covered by it and dropped (but for a subscription's lifecycle events), so a
 * burst of notifications costs a few runs;
 * while another instance writes the connection's feed the request waits in the queue.
 */
public final class SyncService {
    private static final Logger LOG = Logger.getLogger(SyncService.class.getName());
    /** How long a run holds the feed; renewed at every page, and a run stops after {@link DeltaRun#MAX_PAGES} pages. */
    static final Duration FEED_LEASE = Duration.ofMinutes(5);
    /** A request that found the feed busy comes back after this long. */
    static final Duration BUSY_RETRY = Duration.ofSeconds(30);
    /** Clocks of two instances may differ this much: a run must have started this much after a request to cover it. */
    static final Duration COVERAGE_SKEW = Duration.ofSeconds(5);

    /**
     * Notifications wait this long for a run, so that a burst of them is covered by one (SYNC_DEBOUNCE_SECONDS). A setting
     * is at least {@link #COVERAGE_SKEW} + 1 s: a scheduled run covers a notification only when it starts that much after
     * it, so a shorter wait would schedule a run per notification.
     */
    public static final Duration DEFAULT_DEBOUNCE = Duration.ofSeconds(10);
    /** The reason of the run that notifications scheduled. */
    static final String SCHEDULED = "scheduled";
    /** The reason of the one more run after a scheduled run that found nothing. */
    static final String RECHECK = "recheck";
    /**
     * How long after a notified run that found nothing the delta is read once more. Graph notifies at once, but "there can
     * be a delay between when a change is made and it is available in a delta query" (Learn: delta query overview,
     * Processing delays): without this the change would wait for the timer's hourly run.
     */
    static final Duration RECHECK_DELAY = Duration.ofSeconds(60);
    /** Lifecycle events that ask for something done to the subscription, which no other run does. */
    private static final Set<String> SUBSCRIPTION_EVENTS = Set.of(SyncRequest.SUBSCRIPTION_REMOVED, SyncRequest.REAUTHORIZATION_REQUIRED);

    /** What became of a request. */
    public enum Outcome { RAN, MORE, COVERED, SCHEDULED, BUSY, NOT_SYNCED, STOPPED }

    private final GraphAccess graph;
    private final ConnectionStore connections;
    private final SyncStores stores;
    private final WorkQueue requests;
    private final ChangeListener listener;
    private final SubscriptionManager subscriptions;
    private final Clock clock;
    private final Duration debounce;
    private final FailedRuns failures;
    private final SyncCleanup cleanup;

    /** @param debounce how long notifications wait for their run ({@link #DEFAULT_DEBOUNCE}) */
    public SyncService(GraphAccess graph, ConnectionStore connections, SyncStores stores, WorkQueue requests, ChangeListener listener,
                       NotificationUrls urls, Clock clock, Duration debounce) {
        this.graph = Objects.requireNonNull(graph, "'graph' cannot be null.");
        this.connections = Objects.requireNonNull(connections, "'connections' cannot be null.");
        this.stores = Objects.requireNonNull(stores, "'stores' cannot be null.");
        this.requests = Objects.requireNonNull(requests, "'requests' cannot be null.");
        this.listener = Objects.requireNonNull(listener, "'listener' cannot be null.");
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
        this.debounce = Objects.requireNonNull(debounce, "'debounce' cannot be null.");
        this.subscriptions = new SubscriptionManager(stores.subscriptions(), stores.states(), urls, clock,
                id -> connections.find(id).filter(c -> c.status() == ConnectionStatus.ACTIVE).isPresent());
        this.failures = new FailedRuns(stores.states(), listener, clock);
        this.cleanup = new SyncCleanup(graph, connections, stores, subscriptions, clock);
    }

    /** Asks for a run of {@code target}'s delta (queued; the worker runs it). */
    public void request(String connectionId, SyncTarget target, String reason) {
        requests.send(new SyncRequest(connectionId, target, reason, clock.instant()).toJson(), Duration.ZERO);
    }

    /**
     * Handles one queued request; throws for a failure worth the queue's retry. A notification does not run
     * the delta itself: it schedules one run the debounce ({@link #DEFAULT_DEBOUNCE} unless set) ahead, which every notification until then is
     * covered by (one table read each). Other reasons (the timer, lifecycle events, a new connection) run at once.
     */
    public Outcome handle(SyncRequest request) {
        Optional<SyncState> state = stores.states().find(request.connectionId(), request.target());
        // A later run covers a change, not Graph's lifecycle events: only this request recreates or reauthorizes the subscription.
        if (!SUBSCRIPTION_EVENTS.contains(request.reason()) && state.filter(s -> s.covers(request.requestedAt(), COVERAGE_SKEW)).isPresent()) {
            return Outcome.COVERED;
        }
        if (request.reason().equals("notification")) {
            return schedule(request, state);
        }
        Optional<Connection> connection = connections.find(request.connectionId());
        if (connection.isEmpty() || connection.get().status() != ConnectionStatus.ACTIVE || !syncs(connection.get(), request.target())) {
            return Outcome.NOT_SYNCED;
        }
        Optional<FeedWriter> writer = FeedWriter.acquire(stores.states(), stores.feed(), stores.index(), request.connectionId(), clock, FEED_LEASE);
        if (writer.isEmpty()) {
            requests.send(request.toJson(), BUSY_RETRY); // the run in progress may have read Graph before this request's change
            return Outcome.BUSY;
        }
        return run(request, connection.get(), writer.get(), state);
    }

    /** The run itself, holding the feed: the delta, what it appended pushed, the subscription made sure of. */
    private Outcome run(SyncRequest request, Connection connection, FeedWriter writer, Optional<SyncState> state) {
        DeltaRun deltaRun = new DeltaRun(stores.states(), stores.index(), clock);
        boolean posted = false;
        try (FeedWriter feed = writer) {
            SyncTarget target = request.target();
            GraphSession session = graph.open(ConnectionRef.of(request.connectionId(), null), target.resource().permissions(target.isShared()));
            lifecycleEventFirst(request, connection, session);
            DeltaRun.Outcome run = deltaRun.run(session, feed, target);
            posted = true;
            if (disconnectedMeanwhile(request.connectionId())) {
                return forgetAfterRun(request);
            }
            // Right after the run's state is saved (its error cleared): whatever fails or dies after this must not lose it
            state.filter(FailedRuns::stopped).ifPresent(s -> listener.syncRecovered(request.connectionId(), target, s.lastRunAt()));
            listener.appended(request.connectionId(), run.appended());
            if (SyncCapabilities.notifies(connection.cloud(), target) && subscriptions.ensure(session, target.resource(), false,
                    request.reason().equals("timer"))) {
                // A new subscription: what changed since this run read the delta was notified to no one. One more run finds it.
                request(request.connectionId(), target, "subscribed");
            }
            if (request.reason().equals(SCHEDULED) && run.appended().isEmpty() && !run.more()) {
                // Notified, yet nothing new: the change may not have reached the delta yet. Once more, a minute on (only once:
                // a recheck that finds nothing asks for nothing; only a run started after it is due covers it).
                Instant at = clock.instant().plus(RECHECK_DELAY);
                requests.send(new SyncRequest(request.connectionId(), target, RECHECK, at).toJson(), RECHECK_DELAY);
            }
            if (run.more()) {
                request(request.connectionId(), target, "more");
                return Outcome.MORE;
            }
            return Outcome.RAN;
        } catch (RuntimeException e) {
            if (disconnectedMeanwhile(request.connectionId())) {
                return forgetAfterRun(request); // its failure came from the disconnect's clean-up (its state gone): nothing to retry
            }
            if (!posted) {
                // What reached the feed before a later page failed: the next run will not append it again. (A process that
                // dies posts nothing: the web app finds those changes in the feed, from its cursor.)
                listener.appended(request.connectionId(), deltaRun.appended());
            }
            if (e instanceof ConnectorException failure) {
                failures.record(request, failure.code());
                if (FailedRuns.STOPPING.contains(failure.code())) {
                    LOG.info("Sync of " + request.target() + " for " + request.connectionId() + " stopped: " + failure.code().code());
                    return Outcome.STOPPED;
                }
            }
            throw e;
        }
    }

    /**
     * Whether the connection was disconnected since the run began (its clean-up may have run while the run read Graph, and
     * what the run wrote after it would stay for good). Unknown (storage failing) counts as not: the run's outcome stands.
     */
    private boolean disconnectedMeanwhile(String connectionId) {
        try {
            // Disconnected only: a connection that came to need a new sign-in keeps its sync state to resume from (SYNC.md)
            return connections.find(connectionId).map(c -> c.status() == ConnectionStatus.DISCONNECTED).orElse(true);
        } catch (RuntimeException unknown) {
            return false;
        }
    }

    /** The disconnect's clean-up again, after a run that overlapped it: no subscription made, no change pushed. */
    private Outcome forgetAfterRun(SyncRequest request) {
        LOG.info("Sync of " + request.target() + " for " + request.connectionId() + " ended: disconnected during the run");
        forget(request.connectionId());
        return Outcome.NOT_SYNCED;
    }

    /**
     * A lifecycle event's part, before the delta (unless the subscription was made or renewed since: it was about an older
     * one): a removed subscription is forgotten (a new one is made after the delta); a reauthorization is done at once, as
     * Graph pauses delivery until then and a delta that keeps failing must not keep it paused.
     */
    private void lifecycleEventFirst(SyncRequest request, Connection connection, GraphSession session) {
        SyncTarget target = request.target();
        if (!SUBSCRIPTION_EVENTS.contains(request.reason()) || target.isShared() || subscriptionMadeOrRenewedSince(request)) {
            return;
        }
        if (request.reason().equals(SyncRequest.SUBSCRIPTION_REMOVED)) {
            subscriptions.forget(request.connectionId(), target.resource());
        } else if (SyncCapabilities.notifies(connection.cloud(), target)) {
            subscriptions.ensure(session, target.resource(), true, false); // the delta reads what changed: no extra run needed
        }
    }

    /**
     * Whether the resource's subscription was made or renewed after the request was made: then a lifecycle event it
     * carries was about an older one (a late {@code subscriptionRemoved} must not forget the new one, which would leave
     * it alive and unrecorded), and a reauthorization already happened.
     */
    private boolean subscriptionMadeOrRenewedSince(SyncRequest request) {
        return stores.states().subscription(request.connectionId(), request.target().resource())
                .filter(s -> s.subscriptionId() != null && s.problem() == null && s.checkedAt() != null)
                .filter(s -> s.checkedAt().isAfter(request.requestedAt().plus(COVERAGE_SKEW))).isPresent();
    }

    private Outcome schedule(SyncRequest request, Optional<SyncState> state) {
        if (state.map(SyncState::scheduledRunAt).filter(at -> !at.isBefore(request.requestedAt().plus(COVERAGE_SKEW))).isPresent()) {
            return Outcome.COVERED; // a run already scheduled starts after this change was notified
        }
        if (state.isEmpty() && connections.find(request.connectionId()).filter(c -> c.status() == ConnectionStatus.ACTIVE && syncs(c,
                request.target())).isEmpty()) {
            return Outcome.NOT_SYNCED; // a late notification after a disconnect (or of a resource no longer synced) makes no row
        }
        Instant at = clock.instant().plus(debounce);
        // Queued before it is recorded: a send that fails leaves no "scheduled" mark to drop the queue's retry as covered.
        requests.send(new SyncRequest(request.connectionId(), request.target(), SCHEDULED, at).toJson(), debounce);
        stores.states().markScheduled(request.connectionId(), request.target(), state, at);
        return Outcome.SCHEDULED;
    }

    /**
     * Whether the connection syncs {@code target}: it holds the feature that turns it on (mail_read, calendar_read; for a
     * shared mailbox shared_mailbox_read or shared_mailbox, shared_calendar_read or shared_calendar), its cloud serves
     * the delta, and a shared mailbox is still one the web app named (one table read, for shared mailboxes only).
     */
    boolean syncs(Connection c, SyncTarget target) {
        return syncs(c, target, mailbox -> named(c.id(), mailbox));
    }

    /** {@link #syncs}, asking {@code named} whether a shared target's mailbox is named (the timer remembers the answers of a tick). */
    static boolean syncs(Connection c, SyncTarget target, Predicate<String> named) {
        return SyncCapabilities.enabled(c, target) && (!target.isShared() || named.test(target.mailbox()));
    }

    /** Whether the connection names the shared mailbox now. */
    boolean named(String connectionId, String mailbox) {
        return stores.shared().contains(connectionId, mailbox);
    }

    /** Every target the connection syncs: its own inbox and calendar, and those of the shared mailboxes named, as its features allow. */
    List<SyncTarget> targets(Connection c) {
        List<SyncTarget> targets = new ArrayList<>();
        for (SyncResource resource : SyncResource.values()) {
            targets.add(SyncTarget.own(resource));
        }
        for (String mailbox : stores.shared().of(c.id())) {
            for (SyncResource resource : SyncResource.values()) {
                targets.add(SyncTarget.shared(resource, mailbox));
            }
        }
        targets.removeIf(t -> !SyncCapabilities.enabled(c, t));
        return targets;
    }

    /** A page of the connection's change feed after the cursor (owner checked like every other route). */
    public ChangePage changes(ConnectionRef ref, ChangesQuery query) {
        Connection c = ref.admit(connections.find(ref.id()).orElseThrow(ref::notFound));
        return new FeedPages(stores).page(c.id(), query);
    }

    /** Before a disconnect, while its token still works: the connection's subscriptions are deleted at Graph. */
    public void unsubscribe(String connectionId) {
        cleanup.unsubscribe(connectionId);
    }

    /** Everything sync kept for a connection: on disconnect. */
    public void forget(String connectionId) {
        cleanup.forget(connectionId);
    }

    /** Before a connection's row is removed for good: the mark by which housekeeping finishes {@link #purge} if it is cut short. */
    public void beforeRemoval(String connectionId) {
        cleanup.mark(connectionId);
    }

    /** After the connection's row was removed for good: everything sync kept, its change feed and counter too. */
    public void purge(String connectionId) {
        cleanup.purge(connectionId);
    }
}
