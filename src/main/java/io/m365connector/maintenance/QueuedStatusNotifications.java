package io.m365connector.maintenance;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.connection.Connection;
import io.m365connector.connection.StatusListener;
import io.m365connector.credentials.AppCredentialListener;
import io.m365connector.credentials.AppCredentialStatus;
import io.m365connector.platform.Json;
import io.m365connector.platform.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Turns status changes into webhook deliveries through a queue, so a slow or failing web app never
 * delays the change itself and deliveries survive restarts: connections' status changes, and changes
 * of a cloud's app credential ({@link AppCredentialEvent}). Without a webhook URL it is not used.
 */
public final class QueuedStatusNotifications implements StatusListener, AppCredentialListener {
    private static final Logger LOG = Logger.getLogger(QueuedStatusNotifications.class.getName());

    private final WorkQueue queue;
    private final Clock clock;
    /** How long a backstop stays hidden: far longer than a save takes, so that its announcement after the save cancels it. */
    static final Duration BACKSTOP_DELAY = Duration.ofMinutes(2);
    /** The backstops of changes being saved, by event id; one whose change was not saved stays (a few bytes per failure). */
    private final Map<String, WorkQueue.Sent> backstops = new ConcurrentHashMap<>();

    public QueuedStatusNotifications(WorkQueue queue, Clock clock) {
        this.queue = queue;
        this.clock = clock;
    }

    /**
     * Queues a backstop before the change is saved: the event, hidden for {@link #BACKSTOP_DELAY}, with the change it waits
     * for ({@link StatusConfirmation}). The save's {@link #statusChanged} announces the change at once and cancels the
     * backstop; a process killed between the save and that announcement (or whose announcement failed) leaves the backstop,
     * which the worker delivers if the row shows the change and drops if the change was never saved.
     */
    @Override
    public void beforeChange(Connection before, Connection after) {
        if (before.status() != after.status()) {
            StatusEvent event = StatusEvent.of(before, after, clock.instant());
            backstop(event, event.id(), StatusConfirmation.of(after), after.id() + " (" + after.status().id() + ")");
        }
    }

    @Override
    public void statusChanged(Connection before, Connection after) {
        if (before.status() != after.status()) {
            StatusEvent event = StatusEvent.of(before, after, clock.instant());
            announce(event, event.id(), after.id() + " (" + after.status().id() + ")");
        }
    }

    /** The same for a cloud's app credential: a backstop before the check's row is saved. */
    @Override
    public void beforeChange(Optional<AppCredentialStatus> before, AppCredentialStatus after, String configuration) {
        AppCredentialEvent.of(before, after, clock.instant()).ifPresent(event -> backstop(event, event.id(),
                StatusConfirmation.of(after, configuration), event.type() + ", " + event.cloud()));
    }

    @Override
    public void changed(Optional<AppCredentialStatus> before, AppCredentialStatus after) {
        AppCredentialEvent.of(before, after, clock.instant()).ifPresent(event -> announce(event, event.id(), event.type() + ", " + event.cloud()));
    }

    private void backstop(Object event, String id, ObjectNode confirm, String about) {
        if (backstops.containsKey(id)) {
            return; // the same change again: a save that met another writer, made again on the row as it is now
        }
        ObjectNode envelope = envelopeNode(event, 1);
        envelope.set("confirm", confirm);
        try {
            queue.sendCancellable(envelope.toString(), BACKSTOP_DELAY).ifPresent(sent -> {
                if (backstops.size() > 10_000) {
                    backstops.clear(); // only changes that were not saved stay: their backstops are dropped by the worker
                }
                backstops.put(id, sent);
            });
        } catch (RuntimeException e) {
            LOG.warning("Could not queue the backstop of event " + id + " for " + about + ": " + e.getClass().getSimpleName());
        }
    }

    /** Queues the event of a saved change and cancels its backstop; if the event cannot be queued, the backstop stays. */
    private void announce(Object event, String id, String about) {
        try {
            queue.send(envelope(event, 1), Duration.ZERO);
        } catch (RuntimeException e) {
            LOG.warning("Could not queue event " + id + " for " + about + ": " + e.getClass().getSimpleName()
                    + "; its backstop announces it in " + BACKSTOP_DELAY.toMinutes() + " minutes");
            return;
        }
        WorkQueue.Sent backstop = backstops.remove(id);
        if (backstop != null) {
            try {
                queue.cancel(backstop);
            } catch (RuntimeException e) {
                // the backstop announces the change again, under the same id: the web app drops the repeat
            }
        }
    }

    static String envelope(Object event, int attempt) {
        return envelopeNode(event, attempt).toString();
    }

    private static ObjectNode envelopeNode(Object event, int attempt) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.set("event", Json.MAPPER.valueToTree(event));
        node.put("attempt", attempt);
        return node;
    }
}
