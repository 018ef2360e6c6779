package io.m365connector.platform;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.QueueStorageException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;

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
        } catch (RuntimeException e) {
            // With a timeout the client runs the call on a pool and wraps what it threw (RuntimeException(ExecutionException(...))).
            QueueStorageException refused = storageError(e);
            if (refused != null && refused.getStatusCode() == 404) {
                queue.createIfNotExists(); // once, on an empty storage account
                send0(message, delay, within);
                return;
            }
            if (refused != null) {
                throw new StorageUnavailableException("Queue '" + queue.getQueueName() + "' refused a message (HTTP " + refused.getStatusCode()
                        + "). Check AzureWebJobsStorage and the identity's Storage Queue Data Contributor role.", e);
            }
            throw new StorageUnavailableException("Queue '" + queue.getQueueName() + "' is unreachable (" + rootName(e)
                    + "). Check AzureWebJobsStorage and network access.", e);
        }
    }

    private static QueueStorageException storageError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof QueueStorageException q) {
                return q;
            }
        }
        return null;
    }

    private static String rootName(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t instanceof ExecutionException
                || t.getClass() == RuntimeException.class)) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName();
    }

    private void send0(String message, Duration delay, Duration within) {
        queue.sendMessageWithResponse(message, delay.isZero() ? null : delay, null, within, null);
    }
}
