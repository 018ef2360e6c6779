package io.m365connector.maintenance;

import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import java.time.Instant;

/**
 * What the web app's webhook receives when a connection's status changes. Never carries tokens.
 *
 * @param id         the same for every delivery of one change (also the {@code webhook-id} header): use it to ignore repeats
 * @param occurredAt when the status changed (the connection's updatedAt of that change), not when the event was sent
 * @param errorCode  why, for needs_reauth (the connection's lastErrorCode)
 */
public record StatusEvent(String id, String type, Instant occurredAt, String connectionId, String ownerId, String cloud,
                          String status, String previousStatus, String errorCode) {
    public static final String TYPE = "connection.status_changed";

    public static StatusEvent of(Connection before, Connection after, Instant now) {
        // The change is its new status at its time (the row's UpdatedAt, taken once per change, also across the retries of a
        // save that met another writer): equal for repeats of the same change, and known before the save, when its backstop
        // is queued (QueuedStatusNotifications.beforeChange); the backstop is delivered only if the row holds this very time.
        // Not the previous status: a retry after another writer changed it (a refresh marking needs_reauth) is the same change.
        String id = EventIds.of(TYPE, after.id(), after.status().id(), String.valueOf(after.updatedAt()));
        // occurredAt is the change's time too, the same in the backstop and the announcement: what a web app orders events by
        return new StatusEvent(id, TYPE, after.updatedAt() == null ? now : after.updatedAt(), after.id(), after.ownerId(),
                after.cloud().id(), after.status().id(), before.status().id(),
                after.status() == ConnectionStatus.NEEDS_REAUTH ? after.refresh().lastErrorCode() : null);
    }
}
