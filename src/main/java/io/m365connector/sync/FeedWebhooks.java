package io.m365connector.sync;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.platform.Json;
import io.m365connector.platform.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.Logger;

/**
 * The webhook copy of the feed: the changes a run appended, as {@code connection.changes} events of at
 * most {@link #PER_EVENT} changes, queued for the same signed delivery (with retries) as status events.
 * An event's id is derived from the connection and the sequences it carries, so a redelivery has the
 * same id. A web app that missed an event loses nothing: the feed has the same changes at the same
 * sequences, and {@code toCursor} says where to continue reading. Also {@code connection.sync_stopped} and
 * {@code connection.sync_recovered} when a resource's sync stops on a problem a retry cannot fix and runs
 * again (the connection status's {@code sync} says the same).
 */
public final class FeedWebhooks implements ChangeListener {
    private static final Logger LOG = Logger.getLogger(FeedWebhooks.class.getName());
    public static final String TYPE = "connection.changes";
    public static final String STOPPED = "connection.sync_stopped";
    public static final String RECOVERED = "connection.sync_recovered";
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
            ObjectNode event = event("evt_chg_" + connectionId.substring(4) + "_" + first + "_" + last, TYPE, connectionId)
                    .put("fromCursor", ChangesQuery.cursor(first - 1))
                    .put("toCursor", ChangesQuery.cursor(last));
            ArrayNode array = event.putArray("changes");
            part.forEach(c -> array.add(Json.MAPPER.valueToTree(c)));
            queue(event, "changes " + first + "-" + last + " of " + connectionId); // on failure the feed has them: the web app reads from its cursor
        }
    }

    /** {@code connection.sync_stopped}: its id names the stop, so a repeat of the same stop has the same id. */
    @Override
    public void syncStopped(String connectionId, SyncTarget target, String code, Instant stoppedAt) {
        ObjectNode event = where(event(stopId(connectionId, target, stoppedAt, "stopped"), STOPPED, connectionId), target)
                .put("code", code);
        queue(event, STOPPED + " of " + connectionId);
    }

    @Override
    public void syncRecovered(String connectionId, SyncTarget target, Instant stoppedAt) {
        ObjectNode event = where(event(stopId(connectionId, target, stoppedAt, "recovered"), RECOVERED, connectionId), target);
        queue(event, RECOVERED + " of " + connectionId);
    }

    /** {@code resource}, and {@code mailbox} for a shared mailbox's. */
    private static ObjectNode where(ObjectNode event, SyncTarget target) {
        event.put("resource", target.resource().id());
        return target.isShared() ? event.put("mailbox", target.mailbox()) : event;
    }

    private static String stopId(String connectionId, SyncTarget target, Instant stoppedAt, String what) {
        return "evt_sync_" + connectionId.substring(4) + "_" + target.key().replace('.', '_') + "_" + what + "_"
                + (stoppedAt == null ? 0 : stoppedAt.toEpochMilli());
    }

    private ObjectNode event(String id, String type, String connectionId) {
        return Json.MAPPER.createObjectNode()
                .put("id", id)
                .put("type", type)
                .put("occurredAt", clock.instant().toString())
                .put("connectionId", connectionId);
    }

    private void queue(ObjectNode event, String what) {
        ObjectNode envelope = Json.MAPPER.createObjectNode();
        envelope.set("event", event);
        envelope.put("attempt", 1);
        try {
            notifications.send(envelope.toString(), Duration.ZERO);
        } catch (RuntimeException e) {
            // The feed and the status are the source of truth. Logged once, no content.
            LOG.warning("Could not queue the webhook for " + what + ": " + e.getClass().getSimpleName());
        }
    }
}
