package io.m365connector.maintenance;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.platform.Json;
import io.m365connector.platform.WorkQueue;
import io.m365connector.platform.webhooks.WebhookSender;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * Delivers one queued webhook event (signed by {@link WebhookSender}, Standard Webhooks). A failed
 * delivery is queued again with exponential backoff (30 s doubling to 1 h, {@value #MAX_ATTEMPTS}
 * attempts, about a day in all) under the same event id, so the receiver can drop repeats; after the
 * last attempt the event goes to the {@code status-notifications-poison} queue for an operator.
 */
public final class NotificationWorker {
    private static final Logger LOG = Logger.getLogger(NotificationWorker.class.getName());
    static final int MAX_ATTEMPTS = 30;

    private final WebhookSender sender;
    private final WorkQueue retries;
    private final WorkQueue poison;

    public NotificationWorker(WebhookSender sender, WorkQueue retries, WorkQueue poison) {
        this.sender = sender;
        this.retries = retries;
        this.poison = poison;
    }

    public void handle(String envelope) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(envelope);
        } catch (Exception e) {
            LOG.warning("Dropping a status notification that is not JSON");
            return;
        }
        JsonNode event = node.get("event");
        int attempt = node.path("attempt").asInt(1);
        String eventId = event.path("id").asText();
        try {
            sender.send(eventId, event.toString());
        } catch (Exception e) {
            if (attempt >= MAX_ATTEMPTS) {
                LOG.severe("Giving up on status event " + eventId + " after " + attempt + " attempts (" + e.getMessage()
                        + "); it is in the status-notifications-poison queue");
                poison.send(envelope, Duration.ZERO);
                return;
            }
            Duration wait = backoff(attempt);
            LOG.warning("Status event " + eventId + " not delivered (" + e.getMessage() + "); attempt " + (attempt + 1)
                    + " in " + wait.toSeconds() + " s");
            retries.send("{\"event\":" + event + ",\"attempt\":" + (attempt + 1) + "}", wait);
        }
    }

    static Duration backoff(int attempt) {
        long seconds = Math.min(3600L, 30L << Math.min(attempt - 1, 10));
        return Duration.ofSeconds(seconds);
    }
}
