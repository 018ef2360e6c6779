package io.m365connector.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.connection.Connection;
import io.m365connector.platform.Json;
import java.time.Instant;
import java.util.Optional;

/**
 * A queued request to run a resource's delta for a connection: from a change notification, the sync
 * timer, a lifecycle event, a continuation of a long run, or a new connection.
 *
 * @param reason      why (for the log): notification, timer, missed, removed, more, connected, retry
 * @param requestedAt when it was asked for; a run that started later covers it
 */
public record SyncRequest(String connectionId, SyncResource resource, String reason, Instant requestedAt) {
    public String toJson() {
        return Json.write(new Wire(connectionId, resource.id(), reason, requestedAt.toString()));
    }

    private record Wire(String connectionId, String resource, String reason, String requestedAt) {
    }

    /** The request in a queue message, or empty for a message this version cannot read (dropped with a log line). */
    public static Optional<SyncRequest> parse(String json) {
        try {
            JsonNode node = Json.MAPPER.readTree(json);
            String id = node.path("connectionId").asText();
            Optional<SyncResource> resource = SyncResource.fromId(node.path("resource").asText());
            if (!Connection.isValidId(id) || resource.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new SyncRequest(id, resource.get(), node.path("reason").asText("unknown"),
                    Instant.parse(node.path("requestedAt").asText())));
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
