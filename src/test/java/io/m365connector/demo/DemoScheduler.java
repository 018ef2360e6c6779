package io.m365connector.demo;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Demo only: the one daemon thread behind a stand-in for a Functions host trigger (the demo timer,
 * the queue poller). Daemon, so a demo that ends without closing it is not kept alive by it.
 */
final class DemoScheduler implements AutoCloseable {
    private final ScheduledExecutorService executor;

    DemoScheduler(String threadName) {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code task} every {@code period} from the start, first one period from now. */
    void atFixedRate(Duration period, Runnable task) {
        executor.scheduleAtFixedRate(task, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} {@code delay} after the end of its last run, first {@code delay} from now. */
    void withFixedDelay(Duration delay, Runnable task) {
        executor.scheduleWithFixedDelay(task, delay.toMillis(), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the runs and waits (up to 5 s) for one in flight. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS); // a call in flight ends before the caller goes on stopping things
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
