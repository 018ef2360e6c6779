package io.m365connector.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.app.ContextParts;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.functions.MaintenanceFunctions;
import io.m365connector.testing.ClockSleeper;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.KillSwitch;
import io.m365connector.testing.ProcessDeath;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A connection's removal (nine days after its disconnect) killed at each of its requests, before the request leaves and
 * after the far side carried it out; then what the platform does next: the queue hands the message out again, the sweep
 * runs again, housekeeping runs the next night. Nothing of the connection is left that anyone can read: the row, its due
 * entries, the sync state, the item index, the change feed and its counter. (A death right after the row went leaves its
 * owner index entry, a hash of the owner id with the connection id, which the listing skips: OPERATIONS.md.)
 */
class ConnectionRemovalCrashTest {
    private static final ConnectorHarness HARNESS = ConnectorHarness.withClockedQueues(env -> { });
    private static List<KillSwitch.Call> reference;

    static {
        HARNESS.graph.subscriptions().setEndpoint(HARNESS.graphEndpoint());
    }

    @AfterAll
    static void close() {
        HARNESS.close();
    }

    static Stream<Arguments> cells() {
        return KillSwitch.cells(referenceRemoval());
    }

    @ParameterizedTest(name = "[{index}] dies {2} request {0}: {1}")
    @MethodSource("cells")
    void whenTheRemovalDiesAtAnyRequestThenTheRetriesAndHousekeepingLeaveNothingReadable(int ordinal, KillSwitch.Call call,
                                                                                          KillSwitch.When when) {
        String id = disconnectedWithChanges();
        List<String> messages = dueMessages();

        KillSwitch killed = new KillSwitch(HARNESS.routing).arm(ordinal, when);
        RefreshWorker dying = ContextParts.of(HARNESS.newInstance(killed, new ClockSleeper(HARNESS.clock)).context()).refreshWorker();
        for (String message : messages) {
            try {
                dying.handle(RefreshMessage.parse(message));
            } catch (ProcessDeath | RuntimeException died) {
                // the host hands the message out again
            }
        }
        assertTrue(killed.dead(), "died at request " + ordinal + ": " + killed.calls());
        assertEquals(call.shape(), killed.calls().get(ordinal).shape(), "the same path as the reference removal");

        for (String message : messages) {
            ContextParts.of(HARNESS.context).refreshWorker().handle(RefreshMessage.parse(message));
        }
        dueMessages().forEach(message -> ContextParts.of(HARNESS.context).refreshWorker().handle(RefreshMessage.parse(message)));
        HARNESS.clock.advance(Duration.ofHours(2));
        ContextParts.of(HARNESS.context).housekeeping().run();

        assertEquals(404, HARNESS.getConnection(id).getStatusCode());
        assertFalse(HARNESS.listConnections("ownerId=owner-1", "owner-1").bodyText().contains(id));
        for (String table : List.of(HARNESS.tables.connections(), HARNESS.tables.syncState(), HARNESS.tables.syncItems(),
                HARNESS.tables.changes())) {
            assertEquals(List.of(), ContextParts.of(HARNESS.context).tables().getTableClient(table).listEntities().stream()
                    .filter(e -> e.getPartitionKey().equals(id)).map(e -> e.getRowKey()).toList(), table);
        }
        assertEquals(0, ContextParts.of(HARNESS.context).tables().getTableClient(HARNESS.tables.refreshDue()).listEntities().stream()
                .filter(e -> e.getRowKey().endsWith(id)).count(), "the due index");
    }

    /** A synced connection with a change in its feed, disconnected, and then nine days and a minute later. */
    private static String disconnectedWithChanges() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        HARNESS.graph.mail().addMailbox(c.user().userPrincipalName());
        HARNESS.drainSyncQueue();
        HARNESS.graph.mail().deliverText(c.user().userPrincipalName(), "in the feed when disconnected");
        HARNESS.drainSyncQueue();
        assertFalse(HARNESS.readFeed(c.connectionId()).isEmpty());
        assertEquals(200, HARNESS.deleteConnection(c.connectionId()).getStatusCode());
        HARNESS.clock.advance(Connection.REMOVED_AFTER.plusMinutes(1));
        return c.connectionId();
    }

    /** The sweep's messages: the connections due now (earlier cells' connections are gone, so this cell's). */
    private static List<String> dueMessages() {
        ContextParts.of(HARNESS.context).refreshSweep().sweep(false);
        return HARNESS.clockedQueue(MaintenanceFunctions.REFRESH_QUEUE).receiveVisible();
    }

    /** The requests of one removal that nothing interrupts, on a new instance, after a first one made the tables. */
    private static synchronized List<KillSwitch.Call> referenceRemoval() {
        if (reference == null) {
            for (int i = 0; i < 2; i++) {
                disconnectedWithChanges();
                KillSwitch recording = new KillSwitch(HARNESS.routing);
                RefreshWorker worker = ContextParts.of(HARNESS.newInstance(recording, new ClockSleeper(HARNESS.clock)).context()).refreshWorker();
                List<String> messages = dueMessages();
                assertEquals(1, messages.size(), messages.toString());
                assertEquals(RefreshWorker.Outcome.REMOVED, worker.handle(RefreshMessage.parse(messages.get(0))));
                reference = recording.calls();
            }
        }
        return reference;
    }
}
