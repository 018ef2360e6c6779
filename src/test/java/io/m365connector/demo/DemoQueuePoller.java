package io.m365connector.demo;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.QueueMessageItem;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Demo only: stands in for the Functions host's queue trigger of one queue (the local function host
 * serves HTTP only), so the demo delivers webhooks: polls every half second, hands each message to the
 * handler, deletes it after. A message the handler re-queues (a failed delivery) comes back later.
 */
final class DemoQueuePoller implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DemoQueuePoller.class.getName());

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "demo-queue-poller");
        t.setDaemon(true);
        return t;
    });

    DemoQueuePoller(QueueClient queue, Consumer<String> handler) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                for (QueueMessageItem item : queue.receiveMessages(16, Duration.ofSeconds(60), null, null)) {
                    handler.accept(item.getBody().toString());
                    queue.deleteMessage(item.getMessageId(), item.getPopReceipt());
                }
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "queue poll failed: " + e.getClass().getSimpleName());
            }
        }, 500, 500, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
