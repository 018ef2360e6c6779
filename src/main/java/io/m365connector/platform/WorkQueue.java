package io.m365connector.platform;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** A Storage queue the sweep and the notifier put work on; queue-triggered functions take it off. */
public interface WorkQueue {
    /** Enqueues a message that becomes visible after {@code delay} (zero: at once). */
    void send(String message, Duration delay);

    /**
     * Enqueues a message that never expires, visible at once: for a poison queue, whose messages wait for an operator
     * (a Storage queue message otherwise expires after 7 days, unread or not).
     */
    default void keep(String message) {
        send(message, Duration.ZERO);
    }

    /** {@link #send}, given up after {@code within} (retries included): for callers that must answer in time. */
    default void send(String message, Duration delay, Duration within) {
        send(message, delay);
    }

    /** A message sent by {@link #sendCancellable}: what {@link #cancel} needs to remove it before it is handed out. */
    record Sent(String messageId, String popReceipt) {
    }

    /** {@link #send}, returning what cancels the message while it is still hidden (empty where the queue cannot). */
    default Optional<Sent> sendCancellable(String message, Duration delay) {
        send(message, delay);
        return Optional.empty();
    }

    /** Removes a message sent by {@link #sendCancellable}; one already taken or removed is no error. */
    default void cancel(Sent sent) {
    }

    /** A message taken off the queue: its body, and what {@link #cancel} needs to delete it. */
    record Taken(Sent handle, String body) {
    }

    /**
     * Takes up to {@code max} (at most 32) visible messages, hidden for {@code hidden}: each comes back visible then unless
     * it is deleted ({@link #cancel}) first. Empty for a queue never created.
     */
    default List<Taken> take(int max, Duration hidden) {
        throw new UnsupportedOperationException("this queue hands messages out only to its trigger");
    }

    /** About how many messages wait (the service's approximate count; 0 for a queue never created); empty where unknown. */
    default OptionalLong approximateCount() {
        return OptionalLong.empty();
    }
}
