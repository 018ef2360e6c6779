package io.m365connector.maintenance;

import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import java.time.Instant;
import java.util.UUID;

/**
 * What the web app's webhook receives when a connection's status changes. Never carries tokens.
 *
 * @param id         unique per event: use it to ignore a redelivered event
 * @param errorCode  why, for needs_reauth (the connection's lastErrorCode)
 */
public record StatusEvent(String id, String type, Instant occurredAt, String connectionId, String ownerId, String cloud,
                          String status, String previousStatus, String errorCode) {
    public static final String TYPE = "connection.status_changed";

    public static StatusEvent of(Connection before, Connection after, Instant now) {
        return new StatusEvent("evt_" + UUID.randomUUID().toString().replace("-", ""), TYPE, now, after.id(), after.ownerId(),
                after.cloud().id(), after.status().id(), before.status().id(),
                after.status() == ConnectionStatus.NEEDS_REAUTH ? after.refresh().lastErrorCode() : null);
    }
}
