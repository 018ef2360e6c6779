package io.m365connector.demo;

import java.time.Duration;
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

    private final DemoScheduler scheduler;

    DemoTimer(String name, Duration period, Consumer<String> function) {
        scheduler = new DemoScheduler("demo-timer-" + name);
        scheduler.atFixedRate(period, () -> {
            try {
                function.accept(TIMER_INFO);
            } catch (RuntimeException e) {
                LOG.info("The " + name + " timer failed (" + e.getClass().getSimpleName() + "); it runs again in " + period.toMinutes() + " min");
            }
        });
    }

    @Override
    public void close() {
        scheduler.close();
    }
}
