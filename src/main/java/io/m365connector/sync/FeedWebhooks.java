package io.m365connector.sync;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.platform.Json;
import io.m365connector.platform.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;

/**
 * The webhook copy of the feed: the changes a run appended, as {@code connection.changes} events of at
 * most {@link #PER_EVENT} changes, queued for the same signed delivery (with retries) as status events.
 * An event's id is derived from the connection and the sequences it carries, so a redelivery has the
 * same id. A web app that missed an event loses nothing: the feed has the same changes at the same
 * sequences, and {@code toCursor} says where to continue reading.
 */
public final class FeedWebhooks implements ChangeListener {
    private static final Logger LOG = Logger.getLogger(FeedWebhooks.class.getName());
    public static final String TYPE = "connection.changes";
    /** Keeps a queued event well under a queue message's 64 KiB. */
    static final int PER_EVENT = 50;

    private final WorkQueue notifications;
    private final Clock clock;

    public FeedWebhooks(WorkQueue notifications, Clock clock) {
        this.notifications = notifications;
        this.clock = clock;
    }

    @Override
    public void appended(String connectionId, List<Change> changes) {
        for (int from = 0; from < changes.size(); from += PER_EVENT) {
            List<Change> part = changes.subList(from, Math.min(changes.size(), from + PER_EVENT));
            long first = part.get(0).sequence();
            long last = part.get(part.size() - 1).sequence();
            ObjectNode event = Json.MAPPER.createObjectNode()
                    .put("id", "evt_chg_" + connectionId.substring(4) + "_" + first + "_" + last)
                    .put("type", TYPE)
                    .put("occurredAt", clock.instant().toString())
                    .put("connectionId", connectionId)
                    .put("fromCursor", ChangesQuery.cursor(first - 1))
                    .put("toCursor", ChangesQuery.cursor(last));
            ArrayNode array = event.putArray("changes");
            part.forEach(c -> array.add(Json.MAPPER.valueToTree(c)));
            ObjectNode envelope = Json.MAPPER.createObjectNode();
            envelope.set("event", event);
            envelope.put("attempt", 1);
            try {
                notifications.send(envelope.toString(), Duration.ZERO);
            } catch (RuntimeException e) {
                // The feed has them: the web app reads from its cursor. Logged once, no content.
                LOG.warning("Could not queue the webhook for changes " + first + "-" + last + " of " + connectionId + ": "
                        + e.getClass().getSimpleName());
            }
        }
    }
}
