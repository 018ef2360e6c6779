package io.m365connector.actions;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * When to send a Graph request again. Throttling (429) and unavailability (503) mean the request
 * was not processed: it is repeated after Retry-After while that fits in the budget, otherwise the
 * caller gets {@code throttled} with the delay. Ambiguous failures (timeouts, 500/502/504) are
 * repeated only for operations that are idempotent by themselves (an event create with its
 * transactionId, a GET); for a send they are handed to the caller to verify first.
 */
final class GraphRetry {
    private final int maxAttempts;
    private final Duration budget;
    private final Duration defaultDelay;

    GraphRetry(int maxAttempts, Duration budget, Duration defaultDelay) {
        this.maxAttempts = maxAttempts;
        this.budget = budget;
        this.defaultDelay = defaultDelay;
    }

    static GraphRetry defaults() {
        return new GraphRetry(3, Duration.ofSeconds(10), Duration.ofSeconds(1));
    }

    /** For operations that may safely run twice. */
    <T> T idempotent(String connectionId, Supplier<T> call) {
        return run(connectionId, call, true);
    }

    /** For operations that must not run twice: only not-processed answers are retried; an ambiguous one throws {@link Ambiguous}. */
    <T> T notProcessedOnly(String connectionId, Supplier<T> call) {
        return run(connectionId, call, false);
    }

    private <T> T run(String connectionId, Supplier<T> call, boolean retryAmbiguous) {
        long spentMillis = 0;
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                GraphFailure failure = GraphFailure.of(e);
                boolean retryable = failure.notProcessed() || (retryAmbiguous && failure.ambiguous());
                if (!retryable) {
                    if (failure.ambiguous()) {
                        throw new Ambiguous(failure);
                    }
                    throw failure.toException(connectionId);
                }
                Duration wait = failure.retryAfter().orElse(defaultDelay.multipliedBy(attempt));
                if (attempt >= maxAttempts || spentMillis + wait.toMillis() > budget.toMillis()) {
                    throw failure.toException(connectionId);
                }
                sleep(wait);
                spentMillis += wait.toMillis();
            }
        }
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The request may or may not have been carried out. */
    static final class Ambiguous extends RuntimeException {
        private final GraphFailure failure;

        Ambiguous(GraphFailure failure) {
            super("ambiguous Graph failure: " + (failure.status() == 0 ? failure.message() : "HTTP " + failure.status()), null, false, false);
            this.failure = failure;
        }

        GraphFailure failure() {
            return failure;
        }
    }
}
