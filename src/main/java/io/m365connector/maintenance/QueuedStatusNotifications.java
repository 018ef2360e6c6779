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
import java.util.Optional;
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

    public QueuedStatusNotifications(WorkQueue queue, Clock clock) {
        this.queue = queue;
        this.clock = clock;
    }

    @Override
    public void statusChanged(Connection before, Connection after) {
        if (before.status() == after.status()) {
            return;
        }
        StatusEvent event = StatusEvent.of(before, after, clock.instant());
        try {
            queue.send(envelope(event, 1), Duration.ZERO);
        } catch (RuntimeException e) {
            LOG.warning("Could not queue status event " + event.id() + " for " + after.id() + " (" + after.status().id()
                    + "): " + e.getClass().getSimpleName());
        }
    }

    @Override
    public void changed(Optional<AppCredentialStatus> before, AppCredentialStatus after) {
        AppCredentialEvent.of(before, after, clock.instant()).ifPresent(event -> {
            try {
                queue.send(envelope(event, 1), Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.warning("Could not queue app credential event " + event.id() + " (" + event.type() + ", " + event.cloud() + "): "
                        + e.getClass().getSimpleName());
            }
        });
    }

    static String envelope(Object event, int attempt) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.set("event", Json.MAPPER.valueToTree(event));
        node.put("attempt", attempt);
        return node.toString();
    }
}
