package io.m365connector.demo;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Demo only: stands in for the Functions host's timer trigger of one function (the local function host
 * serves HTTP only): calls it every {@code period}, first one period after the start, with the payload
 * the host passes ({@code IsPastDue}). A failed tick is logged; the next one comes on time.
 */
final class DemoTimer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DemoTimer.class.getName());
    private static final String TIMER_INFO = "{\"Schedule\":{\"AdjustForDST\":true},\"IsPastDue\":false}";

    private final ScheduledExecutorService timer;

    DemoTimer(String name, Duration period, Consumer<String> function) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "demo-timer-" + name);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> {
            try {
                function.accept(TIMER_INFO);
            } catch (RuntimeException e) {
                LOG.info("The " + name + " timer failed (" + e.getClass().getSimpleName() + "); it runs again in " + period.toMinutes() + " min");
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS); // a call in flight ends before the caller goes on stopping things
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
