package io.m365connector.testing.graph;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The notifications the fake Graph still has to deliver, and their delivery through the
 * {@link NotificationEndpoint}, on the fake's clock.
 *
 * <p>Graph's rules (https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks): a 2xx
 * within 3 seconds is delivered; a non-2xx, no answer or a slower one is retried "at exponential backoff
 * intervals" for up to 4 hours, retries with a 10 second timeout; then it is dropped ("Dropped notifications
 * can't be recovered"). <b>Inferred</b>: the intervals (1, 2, 4, 8 ... minutes after each failure; the page
 * gives none) and that change notifications of an expired or removed subscription are not sent. Not
 * modelled: the "slow" and "drop" marking of endpoints (10% / 15% of answers over 10 minutes).
 *
 * <p>The endpoint is called without the fake's lock, one POST at a time; a delivery started by another
 * thread (or from inside the endpoint) leaves the work to the one already delivering.
 */
final class NotificationOutbox {
    static final Duration FIRST_TIMEOUT = Duration.ofSeconds(3);
    static final Duration RETRY_TIMEOUT = Duration.ofSeconds(10);
    static final Duration RETRY_WINDOW = Duration.ofHours(4);
    static final String JSON = "application/json; charset=utf-8";

    enum Kind { CHANGE, LIFECYCLE }

    /** What the subscriptions tell the outbox, asked with the lock held. */
    interface Owner {
        /** Removes expired subscriptions. */
        void sweep();

        boolean exists(String subscriptionId);

        /** A change notification was dropped after 4 hours. */
        void dropped(String subscriptionId);
    }

    /** One POST to make; answered within the timeout, Graph counts it delivered. */
    static final class Pending {
        final String subscriptionId;
        final Kind kind;
        final String tag;
        final String url;
        final String body;
        final Instant createdAt;
        Instant nextAttempt;
        int attempts;
        boolean held;
        boolean inFlight;

        Pending(String subscriptionId, Kind kind, String tag, String url, String body, Instant createdAt) {
            this.subscriptionId = subscriptionId;
            this.kind = kind;
            this.tag = tag;
            this.url = url;
            this.body = body;
            this.createdAt = createdAt;
            this.nextAttempt = createdAt;
        }
    }

    /** An endpoint's answer (null when it threw) and how long it took. */
    record Attempt(Instant at, NotificationEndpoint.Response response, Duration elapsed) {
        int status() {
            return response == null ? 0 : response.status();
        }
    }

    private final Object lock;
    private final Clock clock;
    private final Supplier<NotificationEndpoint> endpoint;
    private final Owner owner;
    private final ReentrantLock delivering = new ReentrantLock();
    // guarded by lock
    private final List<Pending> pending = new ArrayList<>();
    private final List<NotificationDelivery> log = new ArrayList<>();
    private boolean holding;
    private int duplicates;

    NotificationOutbox(Object lock, Clock clock, Supplier<NotificationEndpoint> endpoint, Owner owner) {
        this.lock = lock;
        this.clock = clock;
        this.endpoint = endpoint;
        this.owner = owner;
    }

    /**
     * Queues a notification (lock held); change notifications may be held or doubled by the test controls.
     * {@code tag} is the change type or lifecycle event.
     */
    void enqueue(String subscriptionId, Kind kind, String tag, String url, String body) {
        int copies = 1;
        if (kind == Kind.CHANGE && duplicates > 0) {
            duplicates--;
            copies = 2;
        }
        for (int i = 0; i < copies; i++) {
            Pending p = new Pending(subscriptionId, kind, tag, url, body, clock.instant());
            p.held = holding && kind == Kind.CHANGE;
            pending.add(p);
        }
    }

    /** Sends every notification whose time has come, in order; returns how many POSTs this call made. */
    int deliverDue() {
        int posts = 0;
        while (true) {
            if (delivering.isHeldByCurrentThread() || !delivering.tryLock()) {
                return posts;
            }
            try {
                for (Pending p = takeDue(); p != null; p = takeDue()) {
                    attempt(p);
                    posts++;
                }
            } finally {
                delivering.unlock();
            }
            if (!anyDue()) {
                return posts; // else another thread queued one while this one was finishing
            }
        }
    }

    private boolean anyDue() {
        synchronized (lock) {
            Instant now = clock.instant();
            return pending.stream().anyMatch(p -> !p.inFlight && !p.held && !p.nextAttempt.isAfter(now));
        }
    }

    void hold() {
        synchronized (lock) {
            holding = true;
        }
    }

    /** Stops holding; the held notifications become due now, in the order they happened or the reverse. */
    void release(boolean reverse) {
        synchronized (lock) {
            holding = false;
            List<Pending> held = new ArrayList<>();
            for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (p.held) {
                    it.remove();
                    p.held = false;
                    held.add(p);
                }
            }
            if (reverse) {
                Collections.reverse(held);
            }
            pending.addAll(held);
        }
    }

    void duplicateNext() {
        synchronized (lock) {
            duplicates++;
        }
    }

    /** Drops the undelivered change notifications of a subscription (lock held). */
    void forget(String subscriptionId) {
        pending.removeIf(p -> p.kind == Kind.CHANGE && p.subscriptionId.equals(subscriptionId) && !p.inFlight);
    }

    /** Whether a notification with this tag waits for its first attempt (lock held). */
    boolean waiting(String subscriptionId, String tag) {
        return pending.stream().anyMatch(p -> p.tag.equals(tag) && p.subscriptionId.equals(subscriptionId) && p.attempts == 0);
    }

    void record(NotificationDelivery delivery) {
        log.add(delivery);
    }

    List<NotificationDelivery> log() {
        synchronized (lock) {
            return List.copyOf(log);
        }
    }

    int pendingCount() {
        synchronized (lock) {
            return pending.size();
        }
    }

    void reset() {
        synchronized (lock) {
            pending.clear();
            log.clear();
            holding = false;
            duplicates = 0;
        }
    }

    /** Calls the endpoint and times the answer: the longer of the fake's clock and the wall clock. */
    static Attempt call(NotificationEndpoint endpoint, Clock clock, String url, String contentType, String body) {
        Instant start = clock.instant();
        long wallStart = System.nanoTime();
        NotificationEndpoint.Response response;
        try {
            response = endpoint.deliver(url, contentType, body, SyncValues.queryOf(url));
        } catch (Exception e) {
            response = null;
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - wallStart);
        Duration fake = Duration.between(start, clock.instant());
        return new Attempt(start, response, wall.compareTo(fake) > 0 ? wall : fake);
    }

    private Pending takeDue() {
        synchronized (lock) {
            owner.sweep();
            Instant now = clock.instant();
            List<String> dropped = new ArrayList<>();
            for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                boolean orphan = p.kind == Kind.CHANGE && !owner.exists(p.subscriptionId);
                boolean tooOld = !now.isBefore(p.createdAt.plus(RETRY_WINDOW));
                if (!p.inFlight && !p.held && (orphan || tooOld)) {
                    it.remove();
                    if (tooOld && !orphan && p.kind == Kind.CHANGE) {
                        dropped.add(p.subscriptionId);
                    }
                }
            }
            dropped.forEach(owner::dropped);
            for (Pending p : pending) {
                if (!p.inFlight && !p.held && !p.nextAttempt.isAfter(now)) {
                    p.inFlight = true;
                    return p;
                }
            }
            return null;
        }
    }

    private void attempt(Pending p) {
        Attempt a = call(endpoint.get(), clock, p.url, JSON, p.body);
        Duration timeout = p.attempts == 0 ? FIRST_TIMEOUT : RETRY_TIMEOUT;
        boolean delivered = a.response() != null && a.status() / 100 == 2 && a.elapsed().compareTo(timeout) <= 0;
        synchronized (lock) {
            log.add(new NotificationDelivery(a.at(), p.kind == Kind.CHANGE ? "change" : "lifecycle", p.subscriptionId, p.url, JSON, p.body,
                    a.status(), a.elapsed(), delivered));
            p.inFlight = false;
            if (delivered) {
                pending.remove(p);
            } else {
                p.attempts++;
                p.nextAttempt = clock.instant().plus(backoff(p.attempts));
            }
        }
    }

    /** 1 minute after the first failure, doubling after each further one (inferred). */
    static Duration backoff(int failures) {
        return Duration.ofMinutes(1L << Math.min(failures - 1, 8));
    }
}
