package io.m365connector.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.TableEntity;
import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.app.ContextParts;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.functions.MaintenanceFunctions;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.TestBrowser;
import io.m365connector.testing.entra.FakeUser;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A disconnected connection, or a new one nobody signed in to, is removed {@link Connection#REMOVED_AFTER} (9 days) after
 * its last change by the refresh sweep and worker (API.md, OPERATIONS.md "Data retention"): the row, its index entries,
 * and everything sync kept (its change feed and the feed's counter too). Over Azurite, on the harness's clock.
 */
class ConnectionRemovalTest {
    private static final ConnectorHarness HARNESS = ConnectorHarness.withClockedQueues(env -> { });

    static {
        HARNESS.graph.subscriptions().setEndpoint(HARNESS.graphEndpoint()); // Graph's notifications reach the receiver in process
    }

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @Test
    void whenADisconnectedConnectionIsNineDaysOldThenTheSweepRemovesItWithEverythingSyncKept() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        String id = c.connectionId();
        HARNESS.graph.mail().addMailbox(c.user().userPrincipalName());
        HARNESS.drainSyncQueue();
        HARNESS.graph.mail().deliverText(c.user().userPrincipalName(), "kept nine days at most");
        HARNESS.drainSyncQueue();
        assertFalse(HARNESS.readFeed(id).isEmpty(), "the mail is in the feed");
        assertFalse(rows(HARNESS.tables.syncState(), id).isEmpty());

        assertEquals(200, HARNESS.deleteConnection(id).getStatusCode());
        Instant disconnectedAt = HARNESS.clock.instant();
        JsonNode disconnected = status(id);
        assertEquals(disconnectedAt.plus(Connection.REMOVED_AFTER), Instant.parse(disconnected.get("removeAt").asText()), disconnected.toString());
        assertFalse(disconnected.hasNonNull("nextRefreshAt"), "nothing is refreshed: " + disconnected);
        assertFalse(HARNESS.readFeed(id).isEmpty(), "the web app reads the last changes after the disconnect");

        HARNESS.clock.advance(Connection.REMOVED_AFTER.minusMinutes(1));
        assertFalse(sweepAndWork().contains(RefreshWorker.Outcome.REMOVED), "a minute early");
        assertEquals(200, HARNESS.getConnection(id).getStatusCode());

        HARNESS.clock.advance(Duration.ofMinutes(2));
        assertTrue(sweepAndWork().contains(RefreshWorker.Outcome.REMOVED));

        assertEquals(404, HARNESS.getConnection(id).getStatusCode());
        assertFalse(HARNESS.listConnections("ownerId=owner-1", "owner-1").bodyText().contains(id), "the listing leaves it out");
        assertEquals(List.of(), rows(HARNESS.tables.connections(), id));
        assertEquals(List.of(), rows(HARNESS.tables.syncState(), id), "delta links, the feed's counter");
        assertEquals(List.of(), rows(HARNESS.tables.changes(), id), "the change feed");
        assertEquals(List.of(), rows(HARNESS.tables.syncItems(), id));
        assertEquals(0, entriesNaming(HARNESS.tables.refreshDue(), id), "the due index");
        assertEquals(0, entriesNaming(HARNESS.tables.connectionOwners(), id), "the owner index");
    }

    @Test
    void whenNobodySignsInToANewConnectionThenItIsRemovedNineDaysAfterItWasCreated() {
        String abandoned = HARNESS.start(NationalCloud.USGOV, "\"mail\"").get("connectionId").asText();
        ConnectorHarness.Connected signedIn = HARNESS.connect(NationalCloud.USGOV, "\"mail\"");
        assertEquals(HARNESS.clock.instant().plus(Connection.REMOVED_AFTER), Instant.parse(status(abandoned).get("removeAt").asText()));
        assertFalse(status(signedIn.connectionId()).has("removeAt"), "an active connection is never removed");

        HARNESS.clock.advance(Connection.REMOVED_AFTER.plusMinutes(1));
        List<RefreshWorker.Outcome> outcomes = sweepAndWork();

        assertTrue(outcomes.contains(RefreshWorker.Outcome.REMOVED), outcomes.toString());
        assertEquals(404, HARNESS.getConnection(abandoned).getStatusCode());
        assertEquals("active", status(signedIn.connectionId()).get("status").asText(), "refreshed, not removed");
    }

    /** OPERATIONS.md, data retention: a day after needs_reauth the stored tokens go; the connection stays for the web app. */
    @Test
    void whenAConnectionNeedsTheUserAgainThenItsTokensGoADayLaterAndTheConnectionStays() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOVDOD, "\"mail\"");
        String id = c.connectionId();
        HARNESS.entra.revokeRefreshTokens(c.user());
        var store = ContextParts.of(HARNESS.context).connections();
        Connection active = store.find(id).orElseThrow();
        store.update(active.toBuilder().refresh(active.refresh().withNextRefreshDue(HARNESS.clock.instant())).build());
        assertTrue(sweepAndWork().contains(RefreshWorker.Outcome.NEEDS_REAUTH));
        assertTrue(rowOf(id).getProperties().containsKey("TokenCache"), "still there: " + rowOf(id).getProperties().keySet());

        HARNESS.clock.advance(Duration.ofHours(23));
        assertFalse(sweepAndWork().contains(RefreshWorker.Outcome.TOKENS_DROPPED), "kept a day");
        HARNESS.clock.advance(Duration.ofHours(2));
        assertTrue(sweepAndWork().contains(RefreshWorker.Outcome.TOKENS_DROPPED));

        assertFalse(rowOf(id).getProperties().containsKey("TokenCache"), rowOf(id).getProperties().keySet().toString());
        JsonNode status = status(id);
        assertEquals("needs_reauth", status.get("status").asText(), "the web app still sees who must connect again");
        assertEquals("reauth_required", status.get("lastErrorCode").asText());
        HARNESS.clock.advance(Duration.ofDays(30));
        assertFalse(sweepAndWork().contains(RefreshWorker.Outcome.REMOVED), "never removed: the web app decides");
        assertEquals(200, HARNESS.getConnection(id).getStatusCode());
    }

    /** CHANGELOG: a row disconnected by an earlier version has no removal date; a repeated DELETE gives it one. */
    @Test
    void whenAConnectionDisconnectedBeforeRemovalsIsDisconnectedAgainThenItsRemovalIsScheduled() {
        String id = HARNESS.connect(NationalCloud.CHINA, "\"mail\"").connectionId();
        assertEquals(200, HARNESS.deleteConnection(id).getStatusCode());
        var store = ContextParts.of(HARNESS.context).connections();
        Connection disconnected = store.find(id).orElseThrow();
        store.update(disconnected.toBuilder().refresh(disconnected.refresh().withNextRefreshDue(null)).build()); // as an earlier version left it
        assertFalse(status(id).has("removeAt"));
        HARNESS.clock.advance(Duration.ofDays(30));

        assertEquals(200, HARNESS.deleteConnection(id).getStatusCode());

        assertEquals(HARNESS.clock.instant().plus(Connection.REMOVED_AFTER), Instant.parse(status(id).get("removeAt").asText()));
        HARNESS.clock.advance(Connection.REMOVED_AFTER.plusMinutes(1));
        assertTrue(sweepAndWork().contains(RefreshWorker.Outcome.REMOVED));
        assertEquals(404, HARNESS.getConnection(id).getStatusCode());
    }

    /** API.md: a reconnect before the removal keeps the connection, also one started minutes before it. */
    @Test
    void whenAReconnectStartsShortlyBeforeTheRemovalThenTheConnectionIsKeptAndTheSignInConnectsIt() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "late-return@contoso.com");
        String id = disconnectedConnectionOf(user);
        HARNESS.clock.advance(Connection.REMOVED_AFTER.minusMinutes(10));
        String loginUrl = HARNESS.reconnect(id, "\"mail\"").get("loginUrl").asText(); // the link lives 30 minutes
        HARNESS.clock.advance(Duration.ofMinutes(25));
        assertFalse(sweepAndWork().contains(RefreshWorker.Outcome.REMOVED), "kept while the sign-in may still come back");

        HARNESS.entra.nextSignIn(user);
        HARNESS.browser().navigate(loginUrl);

        assertEquals("active", status(id).get("status").asText());
        HARNESS.clock.advance(Duration.ofHours(3));
        assertFalse(sweepAndWork().contains(RefreshWorker.Outcome.REMOVED), "active again: never removed");
        assertEquals(200, HARNESS.getConnection(id).getStatusCode());
    }

    /** A sign-in that finishes after its connection's row went (removed in a race) stores nothing and says to start again. */
    @Test
    void whenTheRowGoesWhileASignInIsOpenThenFinishingItStoresNothing() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "too-late@contoso.com");
        String id = disconnectedConnectionOf(user);
        String loginUrl = HARNESS.reconnect(id, "\"mail\"").get("loginUrl").asText();
        ContextParts.of(HARNESS.context).connections().delete(id); // a removal that read the row before the reconnect's write

        HARNESS.entra.nextSignIn(user);
        TestBrowser.Page page = HARNESS.browser().navigate(loginUrl);

        assertEquals(400, page.status(), page.body());
        assertTrue(page.body().contains("state_invalid") && page.body().contains("no longer exists"), page.body());
        assertEquals(404, HARNESS.getConnection(id).getStatusCode(), "not brought back by the sign-in");
    }

    private static String disconnectedConnectionOf(FakeUser user) {
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail\"");
        String id = started.get("connectionId").asText();
        HARNESS.entra.nextSignIn(user);
        HARNESS.browser().navigate(started.get("loginUrl").asText());
        assertEquals(200, HARNESS.deleteConnection(id).getStatusCode());
        return id;
    }

    /** The timer's sweep, then the queue trigger's worker over every message it queued. */
    private static List<RefreshWorker.Outcome> sweepAndWork() {
        ContextParts.of(HARNESS.context).refreshSweep().sweep(false);
        List<RefreshWorker.Outcome> outcomes = new ArrayList<>();
        for (String message : HARNESS.clockedQueue(MaintenanceFunctions.REFRESH_QUEUE).receiveVisible()) {
            outcomes.add(ContextParts.of(HARNESS.context).refreshWorker().handle(RefreshMessage.parse(message)));
        }
        return outcomes; // the other tests' active connections are refreshed by the same sweeps
    }

    private static TableEntity rowOf(String id) {
        return client(HARNESS.tables.connections()).getEntity(id, id);
    }

    private static JsonNode status(String id) {
        return ConnectorHarness.json(HARNESS.getConnection(id).bodyText());
    }

    private static List<String> rows(String table, String partition) {
        return client(table).listEntities().stream().filter(e -> e.getPartitionKey().equals(partition)).map(e -> e.getRowKey()).toList();
    }

    private static long entriesNaming(String table, String id) {
        return client(table).listEntities().stream().filter(e -> e.getRowKey().contains(id)).count();
    }

    private static TableClient client(String table) {
        return ContextParts.of(HARNESS.context).tables().getTableClient(table);
    }
}
