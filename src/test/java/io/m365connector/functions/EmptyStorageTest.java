package io.m365connector.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.data.tables.TableServiceClient;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.QueueMessageItem;
import com.microsoft.azure.functions.HttpMethod;
import io.m365connector.app.ContextParts;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.maintenance.RefreshMessage;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.sync.SyncRequest;
import io.m365connector.sync.SyncResource;
import io.m365connector.sync.SyncTarget;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.FakeHttpRequest;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.LogRecorder;
import io.m365connector.testing.SecretsLedger;
import io.m365connector.testing.StandardWebhooks;
import io.m365connector.testing.WebhookReceiver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every timer and queue function, called through the entry points the Functions host calls, on a
 * storage account with nothing in it (an Azurite of its own: no tables, no queues), then on one
 * whose tables were deleted: nothing fails, and the next tick does its work.
 */
class EmptyStorageTest {
    private static final String TIMER = "{\"Schedule\":{\"AdjustForDST\":true},\"ScheduleStatus\":null,\"IsPastDue\":false}";
    private static final Azurite EMPTY = Azurite.fresh("empty");
    private static final WebhookReceiver RECEIVER = new WebhookReceiver();
    private static final ConnectorHarness HARNESS = new ConnectorHarness(HostingCloud.GLOBAL,
            Map.of(NationalCloud.GLOBAL, ConnectorHarness.CredentialKind.SECRET), env -> {
                env.put("AzureWebJobsStorage", EMPTY.connectionString());
                env.put("NOTIFY_WEBHOOK_URL", RECEIVER.url());
                env.put("NOTIFY_WEBHOOK_SIGNING_SECRET", StandardWebhooks.newSecret());
            }, null);

    @AfterAll
    static void tearDown() {
        HARNESS.close();
        RECEIVER.close();
        EMPTY.stop();
    }

    @Test
    void whenEveryTimerAndQueueFunctionRunsOnAnEmptyAccountThenNoneFailsAndTheNextTickDoesItsWork() {
        assertTrue(tableNames().isEmpty(), "the account starts empty: " + tableNames());
        MaintenanceFunctions functions = HARNESS.context.newFunction(MaintenanceFunctions.class);

        try (LogRecorder log = new LogRecorder()) {
            tickEveryTimer(functions);
            functions.refreshWorker(new RefreshMessage("con_" + UUID.randomUUID().toString().replace("-", ""),
                    HARNESS.clock.instant()).toJson(), 1, new FakeExecutionContext("refreshWorker"));
            // backstops of a status change and of an app credential change (queued before their rows), on no tables at all
            String changedAt = HARNESS.clock.instant().toString();
            functions.notificationWorker("{\"event\":{\"id\":\"evt_b1\",\"connectionId\":\"con_" + "0".repeat(32) + "\"},\"attempt\":1,"
                    + "\"confirm\":{\"status\":\"disconnected\",\"changedAt\":\"" + changedAt + "\"}}", new FakeExecutionContext("notificationWorker"));
            functions.notificationWorker("{\"event\":{\"id\":\"evt_b2\",\"cloud\":\"global\"},\"attempt\":1,\"confirm\":{\"cloud\":\"global\","
                    + "\"configuration\":\"x\",\"state\":\"invalid\",\"changedAt\":\"" + changedAt + "\"}}", new FakeExecutionContext("notificationWorker"));
            assertEquals(List.of(), log.atOrAbove(Level.WARNING), "no warning on an empty account");
            assertTrue(RECEIVER.received().isEmpty(), "neither change is stored: nothing delivered");
        }

        // The app is used: a user connects and falls due; another disconnects (a status event is queued).
        String due = dueNow(HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId());
        String leaving = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId();
        assertEquals(200, HARNESS.deleteConnection(leaving).getStatusCode());
        int refreshes = HARNESS.entra.tokenRequests("refresh_token");

        functions.refreshSweep(TIMER, new FakeExecutionContext("refreshSweep"));
        for (String message : drain(MaintenanceFunctions.REFRESH_QUEUE)) {
            functions.refreshWorker(message, 1, new FakeExecutionContext("refreshWorker"));
        }
        for (String message : drain(MaintenanceFunctions.NOTIFICATION_QUEUE)) {
            functions.notificationWorker(message, new FakeExecutionContext("notificationWorker"));
        }

        assertEquals(refreshes + 1, HARNESS.entra.tokenRequests("refresh_token"), "the second sweep's message refreshed the due connection");
        assertTrue(ContextParts.of(HARNESS.context).connections().find(due).orElseThrow().refresh().nextRefreshDue().isAfter(HARNESS.clock.instant()));
        assertTrue(RECEIVER.received().stream().anyMatch(r -> r.body().contains(leaving) && r.body().contains("disconnected")),
                "the queued status event reached the web app");
    }

    @Test
    void whenTheTablesWereDeletedThenEveryTimerRecreatesThemWithoutFailing() {
        MaintenanceFunctions functions = HARNESS.context.newFunction(MaintenanceFunctions.class);
        tickEveryTimer(functions);
        for (String table : tableNames()) {
            tables().deleteTable(table);
        }

        try (LogRecorder log = new LogRecorder()) {
            tickEveryTimer(functions);
            assertEquals(List.of(), log.atOrAbove(Level.WARNING), "no warning after the tables were deleted");
        }
        FakeHttpResponse status = HARNESS.getConnection(HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId());
        assertEquals(200, status.getStatusCode(), "the app works on the recreated tables: " + status.bodyText());
    }

    @Test
    void whenTheSyncTimerAndWorkerRunWithoutTablesOrQueueThenNoneFailsAndASharedMailboxCanBeNamedAndSynced() {
        try {
            dropSyncStorage();
            try (LogRecorder log = new LogRecorder()) {
                HARNESS.sync.syncTimer(TIMER, new FakeExecutionContext("syncTimer"));
                String unknown = "con_" + UUID.randomUUID().toString().replace("-", "");
                HARNESS.sync.syncWorker(new SyncRequest(unknown, SyncResource.INBOX, "timer", HARNESS.clock.instant()).toJson(),
                        new FakeExecutionContext("syncWorker"));
                HARNESS.sync.syncWorker(new SyncRequest(unknown, SyncTarget.shared(SyncResource.CALENDAR, "sales@contoso.com"), "timer",
                        HARNESS.clock.instant()).toJson(), new FakeExecutionContext("syncWorker"));
                assertEquals(List.of(), log.atOrAbove(Level.WARNING), "no warning on an empty account");
            }

            ConnectorHarness.Connected user = HARNESS.connect(NationalCloud.GLOBAL, "\"shared_mailbox_read\"");
            String shared = "sales-" + user.connectionId().substring(4, 12) + "@contoso.com";
            HARNESS.graph.mail().addMailbox(shared);
            HARNESS.graph.grantMailboxAccess(user.user().userPrincipalName(), shared, false);
            HARNESS.graph.mail().deliverText(shared, "on a new account");
            dropSyncStorage(); // the connection exists; the sync tables and queue do not
            FakeHttpRequest put = FakeHttpRequest.of(HttpMethod.PUT, "https://" + ConnectorHarness.FUNCTION_HOST + "/api/connections/"
                    + user.connectionId() + "/shared-mailboxes/" + shared);
            FakeHttpResponse named = (FakeHttpResponse) HARNESS.sync.addSharedMailbox(put, user.connectionId(), shared,
                    new FakeExecutionContext("addSharedMailbox"));
            assertEquals(201, named.getStatusCode(), named.bodyText());
            for (String message : drain(SyncFunctions.SYNC_QUEUE)) {
                HARNESS.sync.syncWorker(message, new FakeExecutionContext("syncWorker"));
            }

            assertEquals(List.of("on a new account"), HARNESS.readFeed(user.connectionId()).stream()
                    .map(c -> c.path("summary").path("subject").asText()).toList());
        } finally {
            tableNames().forEach(tables()::deleteTable); // the account is empty again for the other tests
        }
    }

    /** Deletes the tables sync keeps and its queue. */
    private static void dropSyncStorage() {
        for (String table : tableNames()) {
            if (table.contains("sync") || table.contains("changes") || table.contains("subscriptions")) {
                tables().deleteTable(table);
            }
        }
        HARNESS.queue(SyncFunctions.SYNC_QUEUE).deleteIfExists();
    }

    private static void tickEveryTimer(MaintenanceFunctions functions) {
        functions.refreshSweep(TIMER, new FakeExecutionContext("refreshSweep"));
        functions.housekeeping(TIMER, new FakeExecutionContext("housekeeping"));
        functions.appCredentialCheck(TIMER, new FakeExecutionContext("appCredentialCheck"));
    }

    private static String dueNow(String id) {
        Connection c = ContextParts.of(HARNESS.context).connections().find(id).orElseThrow();
        ContextParts.of(HARNESS.context).connections().update(c.toBuilder().refresh(c.refresh().withNextRefreshDue(
                HARNESS.clock.instant().minus(Duration.ofMinutes(1)))).build());
        return id;
    }

    /** Every message on the harness's queue {@code name}, as the queue trigger would hand them over (decoded). */
    private static List<String> drain(String name) {
        QueueClient queue = HARNESS.queue(name);
        List<String> bodies = new ArrayList<>();
        for (QueueMessageItem item : queue.receiveMessages(32)) {
            bodies.add(item.getBody().toString());
            queue.deleteMessage(item.getMessageId(), item.getPopReceipt());
        }
        return bodies;
    }

    private static TableServiceClient tables() {
        return ContextParts.of(HARNESS.context).tables();
    }

    private static List<String> tableNames() {
        List<String> names = new ArrayList<>();
        tables().listTables().forEach(t -> names.add(t.getName()));
        return names;
    }
}
