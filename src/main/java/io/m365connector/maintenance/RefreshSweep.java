package io.m365connector.maintenance;

import io.m365connector.connection.ConnectionStore;
import io.m365connector.connection.DueConnection;
import io.m365connector.platform.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.logging.Logger;

/**
 * The timer's job: find connections due for a refresh through the due index (only due rows are
 * read) and put one message per connection on the refresh queue. It never refreshes inline: the
 * queue spreads the refreshes over all instances, and a slow Entra ID never stretches the timer.
 */
public final class RefreshSweep {
    private static final Logger LOG = Logger.getLogger(RefreshSweep.class.getName());
    /** Bounded parallelism for enqueuing (a ForkJoinPool of its own, so the common pool's size on small hosts does not matter). */
    private static final ForkJoinPool ENQUEUE_POOL = new ForkJoinPool(16);

    private final ConnectionStore store;
    private final WorkQueue refreshQueue;
    private final Clock clock;
    private final int maxPerSweep;

    public RefreshSweep(ConnectionStore store, WorkQueue refreshQueue, Clock clock, int maxPerSweep) {
        this.store = store;
        this.refreshQueue = refreshQueue;
        this.clock = clock;
        this.maxPerSweep = maxPerSweep;
    }

    public record Result(int enqueued, boolean more) {
    }

    public Result sweep(boolean pastDue) {
        Instant now = clock.instant();
        if (pastDue) {
            LOG.info("Refresh sweep is running late (the timer was past due); catching up.");
        }
        List<DueConnection> due = store.findDue(now, maxPerSweep);
        // Enqueued several at a time: one send is a round trip, and workers start on the first messages
        // while the rest are still being queued.
        try {
            ENQUEUE_POOL.submit(() -> due.parallelStream().forEach(entry ->
                    refreshQueue.send(new RefreshMessage(entry.connectionId(), entry.dueAt()).toJson(), Duration.ZERO))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while enqueuing refreshes", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        boolean more = due.size() >= maxPerSweep;
        LOG.info("Refresh sweep enqueued " + due.size() + " connection(s)" + (more ? "; more are due and the next sweep continues" : ""));
        return new Result(due.size(), more);
    }
}
