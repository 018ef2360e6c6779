package io.m365connector.platform;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.QueueStorageException;
import java.time.Duration;

/**
 * A Storage queue whose client encodes messages in base64, as the Functions queue trigger expects by
 * default. The queue is created the first time a send finds it missing.
 */
public final class StorageWorkQueue implements WorkQueue {
    private final QueueClient queue;

    public StorageWorkQueue(QueueClient queue) {
        this.queue = queue;
    }

    @Override
    public void send(String message, Duration delay) {
        send(message, delay, null);
    }

    @Override
    public void send(String message, Duration delay, Duration within) {
        try {
            send0(message, delay, within);
        } catch (QueueStorageException e) {
            if (e.getStatusCode() == 404) {
                queue.createIfNotExists();
                send0(message, delay, within);
                return;
            }
            throw new StorageUnavailableException("Queue '" + queue.getQueueName() + "' refused a message (HTTP " + e.getStatusCode()
                    + "). Check AzureWebJobsStorage and the identity's Storage Queue Data Contributor role.", e);
        } catch (RuntimeException e) {
            throw new StorageUnavailableException("Queue '" + queue.getQueueName() + "' is unreachable (" + e.getClass().getSimpleName()
                    + "). Check AzureWebJobsStorage and network access.", e);
        }
    }

    private void send0(String message, Duration delay, Duration within) {
        queue.sendMessageWithResponse(message, delay.isZero() ? null : delay, null, within, null);
    }
}
