package io.m365connector.platform;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.QueueStorageException;
import com.azure.storage.queue.models.SendMessageResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;

/**
 * A Storage queue whose client encodes messages in base64, as the Functions queue trigger expects by
 * default. The queue is created the first time a send finds it missing.
 */
public final class StorageWorkQueue implements WorkQueue {
    private static final Duration NEVER_EXPIRES = Duration.ofSeconds(-1);
    private static final Duration COUNT_WITHIN = Duration.ofSeconds(5);
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
        sendWith(() -> send0(message, delay, within));
    }

    private void sendWith(Runnable send) {
        try {
            send.run();
        } catch (RuntimeException e) {
            // With a timeout the client runs the call on a pool and wraps what it threw (RuntimeException(ExecutionException(...))).
            QueueStorageException refused = storageError(e);
            if (refused != null && refused.getStatusCode() == 404) {
                queue.createIfNotExists(); // once, on an empty storage account
                send.run();
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

    @Override
    public Optional<Sent> sendCancellable(String message, Duration delay) {
        SendMessageResult[] sent = new SendMessageResult[1];
        sendWith(() -> sent[0] = send0(message, delay, null));
        return Optional.of(new Sent(sent[0].getMessageId(), sent[0].getPopReceipt()));
    }

    @Override
    public void cancel(Sent sent) {
        try {
            queue.deleteMessage(sent.messageId(), sent.popReceipt());
        } catch (QueueStorageException e) {
            if (e.getStatusCode() != 404) { // taken (a new pop receipt) or gone: nothing to cancel
                throw new StorageUnavailableException("Queue '" + queue.getQueueName() + "' refused to remove a message (HTTP "
                        + e.getStatusCode() + ")", e);
            }
        }
    }

    /** A time to live of -1 second: the message never expires (Queue service REST API, Put Message, messagettl). */
    @Override
    public void keep(String message) {
        sendWith(() -> queue.sendMessageWithResponse(message, null, NEVER_EXPIRES, null, null));
    }

    @Override
    public List<Taken> take(int max, Duration hidden) {
        try {
            List<Taken> taken = new ArrayList<>();
            queue.receiveMessages(Math.min(max, 32), hidden, null, null).forEach(item ->
                    taken.add(new Taken(new Sent(item.getMessageId(), item.getPopReceipt()), item.getBody().toString())));
            return taken;
        } catch (QueueStorageException e) {
            if (e.getStatusCode() == 404) {
                return List.of(); // never created: nothing was ever put on it
            }
            throw new StorageUnavailableException("Queue '" + queue.getQueueName() + "' refused to hand out messages (HTTP "
                    + e.getStatusCode() + ")", e);
        }
    }

    /** Given up after {@link #COUNT_WITHIN}: the health probe that asks must answer in time. */
    @Override
    public OptionalLong approximateCount() {
        try {
            return OptionalLong.of(queue.getPropertiesWithResponse(COUNT_WITHIN, null).getValue().getApproximateMessagesCount());
        } catch (RuntimeException e) {
            QueueStorageException refused = storageError(e);
            if (refused != null && refused.getStatusCode() == 404) {
                return OptionalLong.of(0); // never created: nothing was ever put on it
            }
            throw new StorageUnavailableException("Queue '" + queue.getQueueName() + "' could not be counted (" + (refused != null
                    ? "HTTP " + refused.getStatusCode() : rootName(e)) + ")", e);
        }
    }

    private SendMessageResult send0(String message, Duration delay, Duration within) {
        return queue.sendMessageWithResponse(message, delay.isZero() ? null : delay, null, within, null).getValue();
    }
}
