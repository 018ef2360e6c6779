package io.m365connector.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.platform.Json;
import io.m365connector.platform.WorkQueue;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
    /** At most this many changes per event. */
    static final int PER_EVENT = 50;
    /**
     * And at most this many bytes of changes: a queue message holds 64 KiB, of base64 (48 KiB of JSON), and Standard
     * Webhooks advises payloads "usually smaller than 20kb". Fifty long subjects in another script would pass 48 KiB. A
     * change over it travels alone: a summary's texts are cut (Change.Summary), so one change stays well under the 48 KiB.
     */
    static final int MAX_EVENT_CHANGE_BYTES = 16 * 1024;

    private final WorkQueue notifications;
    private final Clock clock;

    public FeedWebhooks(WorkQueue notifications, Clock clock) {
        this.notifications = notifications;
        this.clock = clock;
    }

    @Override
    public void appended(String connectionId, List<Change> changes) {
        List<JsonNode> part = new ArrayList<>();
        long first = 0;
        long last = 0;
        int bytes = 0;
        for (Change change : changes) {
            JsonNode node = Json.MAPPER.valueToTree(change);
            int size = node.toString().getBytes(StandardCharsets.UTF_8).length;
            if (!part.isEmpty() && (part.size() == PER_EVENT || bytes + size > MAX_EVENT_CHANGE_BYTES)) {
                send(connectionId, first, last, part);
                part = new ArrayList<>();
                bytes = 0;
            }
            if (part.isEmpty()) {
                first = change.sequence();
            }
            part.add(node);
            last = change.sequence();
            bytes += size;
        }
        if (!part.isEmpty()) {
            send(connectionId, first, last, part);
        }
    }

    /** One {@code connection.changes} event: the changes from sequence {@code first} to {@code last}, in feed order. */
    private void send(String connectionId, long first, long last, List<JsonNode> part) {
        ObjectNode event = event("evt_chg_" + connectionId.substring(4) + "_" + first + "_" + last, TYPE, connectionId)
                .put("fromCursor", ChangesQuery.cursor(first - 1))
                .put("toCursor", ChangesQuery.cursor(last));
        event.putArray("changes").addAll(part);
        queue(event, "changes " + first + "-" + last + " of " + connectionId); // on failure the feed has them: the web app reads from its cursor
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
