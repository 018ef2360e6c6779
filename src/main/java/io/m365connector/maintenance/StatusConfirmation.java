package io.m365connector.maintenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.platform.Json;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * A status event's backstop is queued <i>before</i> the row that makes its change, hidden for a while, so that a process
 * killed between the row and the announcement loses no event ({@link QueuedStatusNotifications#beforeChange}); its envelope
 * says which change it waits for. The worker delivers it when the connection's row shows the change (that status, saved at
 * or after the change's time), looks again a little later while it does not, and drops it when the change was never saved
 * (a lost race, storage failing): a web app is never told of a change that did not happen. A change that another one
 * replaced within those minutes is announced by the other's event only.
 */
final class StatusConfirmation {
    /** How long the worker waits between its looks at a row that does not show the change (yet): three more in all. */
    static final List<Duration> WAITS = List.of(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120));

    private StatusConfirmation() {
    }

    /** The envelope's part that names the change: the status it makes and when (the row's planned {@code UpdatedAt}). */
    static ObjectNode of(Connection after) {
        ObjectNode confirm = Json.MAPPER.createObjectNode();
        confirm.put("status", after.status().id());
        confirm.put("changedAt", after.updatedAt().toString());
        return confirm;
    }

    /** Whether the change {@code confirm} names is on the connection's row (a later change over it counts: ours was saved). */
    static boolean saved(JsonNode event, JsonNode confirm, ConnectionStore connections) {
        Optional<Connection> row = connections.find(event.path("connectionId").asText());
        if (row.isEmpty() || row.get().updatedAt() == null) {
            return false;
        }
        // Table Storage keeps fractions of a second that the clock may have finer: compared to the millisecond
        Instant changedAt = Instant.parse(confirm.path("changedAt").asText()).truncatedTo(ChronoUnit.MILLIS);
        return row.get().status().id().equals(confirm.path("status").asText()) && !row.get().updatedAt().isBefore(changedAt);
    }

    /** The wait before the next look, or empty when the looks are used up (the change was never saved). */
    static Optional<Duration> nextLook(ObjectNode confirm) {
        int looks = confirm.path("looks").asInt(0);
        if (looks >= WAITS.size()) {
            return Optional.empty();
        }
        confirm.put("looks", looks + 1);
        return Optional.of(WAITS.get(looks));
    }
}
