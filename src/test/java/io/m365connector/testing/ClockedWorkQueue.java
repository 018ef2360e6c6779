package io.m365connector.testing;

import io.m365connector.platform.StorageUnavailableException;
import io.m365connector.platform.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A work queue in memory whose visibility delays run on the test's clock: a message sent with a delay
 * is handed out only once the clock has passed it, so a test moves the clock instead of waiting.
 */
public final class ClockedWorkQueue implements WorkQueue {
    private record Queued(String message, Instant visibleAt, long id) {
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
        queued.add(new Queued(message, clock.instant().plus(delay), ++sent));
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
        List<String> visible = queued.stream().filter(q -> !q.visibleAt().isAfter(now)).map(Queued::message).toList();
        queued.removeIf(q -> !q.visibleAt().isAfter(now));
        return visible;
    }

    public synchronized int size() {
        return queued.size();
    }
}
