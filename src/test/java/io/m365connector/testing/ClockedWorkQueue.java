package io.m365connector.testing;

import io.m365connector.platform.StorageUnavailableException;
import io.m365connector.platform.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A work queue in memory whose visibility delays run on the test's clock: a message sent with a delay
 * is handed out only once the clock has passed it, so a test moves the clock instead of waiting. As in Azure
 * Storage, a message expires 7 days after it was sent (the Put Message default time to live), unless it was
 * sent to be kept ({@link #keep}: a time to live of -1).
 */
public final class ClockedWorkQueue implements WorkQueue {
    /** Queue service REST API, Put Message: "If this parameter is omitted, the default time-to-live is 7 days." */
    static final Duration DEFAULT_TIME_TO_LIVE = Duration.ofDays(7);

    private record Queued(String message, Instant visibleAt, long id, Instant expiresAt) {
    }

    private final Clock clock;
    private final List<Queued> queued = new ArrayList<>();
    private long sent;

    public ClockedWorkQueue(Clock clock) {
        this.clock = clock;
    }

    private int failingSends;

    @Override
    public synchronized void send(String message, Duration delay) {
        if (failingSends > 0) {
            failingSends--;
            throw new StorageUnavailableException("the queue refused the message (a test's fault)", null);
        }
        queued.add(new Queued(message, clock.instant().plus(delay), ++sent, clock.instant().plus(DEFAULT_TIME_TO_LIVE)));
    }

    @Override
    public synchronized void keep(String message) {
        send(message, Duration.ZERO);
        Queued last = queued.remove(queued.size() - 1);
        queued.add(new Queued(last.message(), last.visibleAt(), last.id(), Instant.MAX));
    }

    @Override
    public synchronized Optional<Sent> sendCancellable(String message, Duration delay) {
        send(message, delay);
        return Optional.of(new Sent(String.valueOf(sent), "receipt"));
    }

    @Override
    public synchronized void cancel(Sent sent) {
        queued.removeIf(q -> String.valueOf(q.id()).equals(sent.messageId()));
    }

    /** The next {@code count} sends fail as a queue that storage does not answer for. */
    public synchronized void failNextSends(int count) {
        failingSends = count;
    }

    /** Takes the messages visible now (as a queue trigger would), leaving hidden ones. */
    public synchronized List<String> receiveVisible() {
        Instant now = clock.instant();
        queued.removeIf(q -> !now.isBefore(q.expiresAt())); // expired: gone, read or not
        List<String> visible = queued.stream().filter(q -> !q.visibleAt().isAfter(now)).map(Queued::message).toList();
        queued.removeIf(q -> !q.visibleAt().isAfter(now));
        return visible;
    }

    @Override
    public synchronized List<Taken> take(int max, Duration hidden) {
        Instant now = clock.instant();
        queued.removeIf(q -> !now.isBefore(q.expiresAt()));
        List<Taken> taken = new ArrayList<>();
        for (int i = 0; i < queued.size() && taken.size() < Math.min(max, 32); i++) {
            Queued q = queued.get(i);
            if (!q.visibleAt().isAfter(now)) {
                taken.add(new Taken(new Sent(String.valueOf(q.id()), "receipt"), q.message()));
                queued.set(i, new Queued(q.message(), now.plus(hidden), q.id(), q.expiresAt()));
            }
        }
        return taken;
    }

    @Override
    public OptionalLong approximateCount() {
        return OptionalLong.of(size());
    }

    public synchronized int size() {
        Instant now = clock.instant();
        queued.removeIf(q -> !now.isBefore(q.expiresAt()));
        return queued.size();
    }
}
