package io.m365connector.maintenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.credentials.AppCredentialStatus;
import io.m365connector.credentials.AppCredentialStore;
import io.m365connector.platform.Json;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * An event's backstop is queued <i>before</i> the row that makes its change, hidden for a while, so that a process killed
 * between the row and the announcement loses no event ({@link QueuedStatusNotifications}); its envelope says which change
 * it waits for. The worker delivers it when the stored row shows the change, looks again a little later while it does
 * not, and drops it when the change was never saved (a lost race, storage failing, an attempt whose save met another
 * writer and was made again): a web app is never told of a change that did not happen. The stored row must hold the very
 * change: for a connection that status at that {@code UpdatedAt} (a change that another replaced within those minutes is
 * announced by the other's event only), for a cloud's app credential that state changed at that time (another instance's
 * record of the same change is announced by that instance).
 */
final class StatusConfirmation {
    /** How long the worker waits between its looks at a row that does not show the change (yet): three more in all. */
    static final List<Duration> WAITS = List.of(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120));

    private final ConnectionStore connections;
    private final AppCredentialStore credentials;

    StatusConfirmation(ConnectionStore connections, AppCredentialStore credentials) {
        this.connections = connections;
        this.credentials = credentials;
    }

    /** The envelope's part that names a connection's change: the status it makes and when (the row's planned {@code UpdatedAt}). */
    static ObjectNode of(Connection after) {
        ObjectNode confirm = Json.MAPPER.createObjectNode();
        confirm.put("status", after.status().id());
        confirm.put("changedAt", after.updatedAt().toString());
        return confirm;
    }

    /** The envelope's part that names an app credential's change, in the row of {@code configuration} (the credential's fingerprint). */
    static ObjectNode of(AppCredentialStatus after, String configuration) {
        ObjectNode confirm = Json.MAPPER.createObjectNode();
        confirm.put("cloud", after.cloud().id());
        confirm.put("configuration", configuration);
        confirm.put("state", after.state().id());
        confirm.put("changedAt", after.changedAt().toString());
        return confirm;
    }

    /** Whether the change {@code confirm} names is stored. */
    boolean saved(JsonNode event, JsonNode confirm) {
        Instant changedAt = millis(Instant.parse(confirm.path("changedAt").asText()));
        if (confirm.has("cloud")) {
            Optional<AppCredentialStatus> stored = NationalCloud.fromId(confirm.path("cloud").asText())
                    .flatMap(cloud -> credentials.find(cloud, confirm.path("configuration").asText())).map(AppCredentialStore.Stored::status);
            return stored.isPresent() && stored.get().state().id().equals(confirm.path("state").asText())
                    && millis(stored.get().changedAt()).equals(changedAt);
        }
        Optional<Connection> row = connections.find(event.path("connectionId").asText());
        return row.isPresent() && row.get().status().id().equals(confirm.path("status").asText())
                && millis(row.get().updatedAt()).equals(changedAt);
    }

    /** Table Storage keeps fractions of a second that the clock may have finer: compared to the millisecond. */
    private static Instant millis(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS);
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
