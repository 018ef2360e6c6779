package io.m365connector.platform;

import java.time.Duration;

/** A Storage queue the sweep and the notifier put work on; queue-triggered functions take it off. */
public interface WorkQueue {
    /** Enqueues a message that becomes visible after {@code delay} (zero: at once). */
    void send(String message, Duration delay);

    /** {@link #send}, given up after {@code within} (retries included): for callers that must answer in time. */
    default void send(String message, Duration delay, Duration within) {
        send(message, delay);
    }
}
