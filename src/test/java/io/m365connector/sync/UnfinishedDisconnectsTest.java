package io.m365connector.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.azure.data.tables.TableServiceClient;
import com.azure.data.tables.TableServiceClientBuilder;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.InMemoryConnectionStore;
import io.m365connector.testing.TestConnections;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Housekeeping's backstop reads only the marks disconnects leave, and finishes or drops each by its connection's status. */
class UnfinishedDisconnectsTest {
    private static final TableServiceClient TABLES = new TableServiceClientBuilder().connectionString(Azurite.shared().connectionString())
            .buildClient();
    private static final Instant NOW = Instant.parse("2027-01-04T03:17:00Z");
    private final String table = "u" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "syncstate";
    private final SyncStates states = new SyncStates(TABLES.getTableClient(table));
    private final InMemoryConnectionStore connections = new InMemoryConnectionStore();
    private final List<String> forgotten = new ArrayList<>();
    private final List<String> purged = new ArrayList<>();
    private final UnfinishedDisconnects backstop = new UnfinishedDisconnects(states, connections, forgotten::add, purged::add);

    private Connection stored(ConnectionStatus status) {
        Connection c = TestConnections.active(NationalCloud.GLOBAL, NOW.minus(Duration.ofDays(3)), NOW.plus(Duration.ofDays(1)));
        return connections.create(c.toBuilder().status(status).build());
    }

    @Test
    void whenMarksAreOlderThanTheCutoffThenDisconnectedConnectionsAreForgottenGoneOnesPurgedAndOthersOnlyUnmarked() {
        TABLES.createTableIfNotExists(table);
        Connection disconnected = stored(ConnectionStatus.DISCONNECTED);
        Connection stillActive = stored(ConnectionStatus.ACTIVE); // its DELETE failed before the status was saved
        String gone = Connection.newId();
        Connection recent = stored(ConnectionStatus.DISCONNECTED);
        states.markForgetting(disconnected.id(), NOW.minus(Duration.ofHours(2)));
        states.markForgetting(stillActive.id(), NOW.minus(Duration.ofHours(2)));
        states.markForgetting(gone, NOW.minus(Duration.ofHours(2)));
        states.markForgetting(recent.id(), NOW.minus(Duration.ofMinutes(10)));

        int finished = backstop.deleteCreatedBefore(NOW.minus(Duration.ofHours(1)));

        assertEquals(2, finished);
        assertEquals(List.of(disconnected.id()), forgotten);
        assertEquals(List.of(gone), purged, "a removal cut short after the row went: its change feed goes too");
        assertEquals(List.of(disconnected.id(), gone, recent.id()).stream().sorted().toList(),
                states.markedForgetting().keySet().stream().sorted().toList(),
                "the active connection's mark dropped; the others' are cleared by forget and purge themselves (recorded here), the recent one waits");
    }
}
