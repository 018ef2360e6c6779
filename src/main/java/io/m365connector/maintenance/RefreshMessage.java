package io.m365connector.maintenance;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.platform.Json;
import java.time.Instant;

/** A queue message asking a worker to refresh one connection that the sweep found due at {@code dueAt}. */
public record RefreshMessage(String connectionId, Instant dueAt) {
    public String toJson() {
        return Json.write(this);
    }

    public static RefreshMessage parse(String json) {
        try {
            JsonNode node = Json.MAPPER.readTree(json);
            return new RefreshMessage(node.get("connectionId").asText(), Instant.parse(node.get("dueAt").asText()));
        } catch (Exception e) {
            throw new IllegalArgumentException("Not a refresh message: " + e.getClass().getSimpleName(), e);
        }
    }
}
