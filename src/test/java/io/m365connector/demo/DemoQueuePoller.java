package io.m365connector.demo;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.QueueMessageItem;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Demo only: stands in for the Functions host's queue trigger of one queue (the local function host
 * serves HTTP only): polls every half second, hands each message to the handler, deletes it after. Like
 * the host, a message whose handler throws comes back when its visibility timeout ends, and after
 * {@link #MAX_DEQUEUE_COUNT} tries it is given up (the host moves it to a poison queue); a message sent
 * with a delay (a re-queued webhook, a debounced sync run) is received when the delay is over.
 */
final class DemoQueuePoller implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DemoQueuePoller.class.getName());
    /** The host's default maxDequeueCount. */
    static final int MAX_DEQUEUE_COUNT = 5;
    /** The host's default visibility timeout after a failure is zero; a little longer keeps a failing demo quiet. */
    private static final Duration VISIBILITY = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(500);

    private final DemoScheduler scheduler;

    DemoQueuePoller(QueueClient queue, Consumer<String> handler) {
        String name = queue.getQueueName();
        scheduler = new DemoScheduler("demo-queue-" + name);
        scheduler.withFixedDelay(POLL, () -> {
            try {
                for (QueueMessageItem item : queue.receiveMessages(16, VISIBILITY, null, null)) {
                    handle(queue, item, handler);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "queue poll of " + name + " failed: " + e.getClass().getSimpleName());
            }
        });
    }

    private static void handle(QueueClient queue, QueueMessageItem item, Consumer<String> handler) {
        try {
            handler.accept(item.getBody().toString());
        } catch (RuntimeException e) {
            if (item.getDequeueCount() < MAX_DEQUEUE_COUNT) {
                LOG.info("A message of " + queue.getQueueName() + " failed (" + e.getClass().getSimpleName() + "): it comes back in "
                        + VISIBILITY.toSeconds() + " s");
                return;
            }
            LOG.warning("A message of " + queue.getQueueName() + " failed " + MAX_DEQUEUE_COUNT + " times: given up");
        }
        queue.deleteMessage(item.getMessageId(), item.getPopReceipt());
    }

    @Override
    public void close() {
        scheduler.close();
    }
}
