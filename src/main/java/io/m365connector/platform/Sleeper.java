package io.m365connector.platform;

import java.time.Duration;

/**
 * Every wait the connector makes (retry delays, waiting for a concurrent writer) goes through this,
 * so policy code can be tested without real sleeps: tests pass a sleeper that advances their clock.
 */
@FunctionalInterface
public interface Sleeper {
    /** Sleeps on the calling thread; an interrupt ends the wait with {@code temporarily_unavailable}. */
    Sleeper REAL = duration -> {
        try {
            Thread.sleep(Math.max(0, duration.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectorException(ProblemCode.TEMPORARILY_UNAVAILABLE, "Interrupted while waiting; try again.");
        }
    };

    void sleep(Duration duration);
}
