package io.m365connector.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.TableServiceClientBuilder;
import com.azure.data.tables.models.TableEntity;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueClientBuilder;
import io.m365connector.connection.Connection;
import io.m365connector.platform.Secrets;
import io.m365connector.platform.StorageWorkQueue;
import io.m365connector.platform.WorkQueue;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.ClockedWorkQueue;
import io.m365connector.testing.LogRecorder;
import io.m365connector.testing.MutableClock;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** The receiver Graph posts to: the handshake, clientState checks, one queued request per good notification, nothing more. */
class NotificationReceiverTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
    private final TableClient table = new TableServiceClientBuilder().connectionString(Azurite.shared().connectionString()).buildClient()
            .getTableClient("r" + UUID.randomUUID().toString().substring(0, 8).replace("-", "") + "subscriptions");
    private final Subscriptions subscriptions = new Subscriptions(table);
    private final ClockedWorkQueue queue = new ClockedWorkQueue(clock);
    private final NotificationReceiver receiver = new NotificationReceiver(subscriptions, queue, clock);
    private final String connectionId = Connection.newId();
    private final String subscriptionId = UUID.randomUUID().toString();
    private final String clientState = "cs-" + UUID.randomUUID();

    private String batch(String subscription, String state, String lifecycleEvent) {
        return "{\"value\":[{\"subscriptionId\":\"" + subscription + "\",\"clientState\":\"" + state + "\",\"changeType\":\"created\","
                + "\"resource\":\"Users/x/Messages/y\",\"tenantId\":\"t\"" + (lifecycleEvent == null ? "" : ",\"lifecycleEvent\":\"" + lifecycleEvent
                + "\"") + "}]}";
    }

    /** A row a later version wrote for a resource this one does not sync (after a rollback): no subscription of this version's. */
    @Test
    void whenASubscriptionsRowNamesAResourceThisVersionDoesNotKnowThenItIsNotOneOfItsOwn() {
        subscriptions.save(new Subscriptions.Held(subscriptionId, connectionId, SyncResource.INBOX, Secrets.sha256(clientState), clock.instant()));
        table.updateEntity(new TableEntity(subscriptionId, "s").addProperty("Resource", "notesfolder"));

        assertTrue(subscriptions.find(subscriptionId).isEmpty(), "it threw, and every notification of it failed");
        NotificationReceiver.Answer answer = receiver.receive(Map.of(), batch(subscriptionId, clientState, null));
        assertEquals(202, answer.status());
        assertTrue(queue.receiveVisible().isEmpty(), "no run asked for a resource this version cannot run");
    }

    @Test
    void whenGraphValidatesTheEndpointThenTheTokenComesBackAsPlainText() {
        NotificationReceiver.Answer answer = receiver.receive(Map.of("validationToken", "Validation: Testing client application"), null);

        assertEquals(200, answer.status());
        assertTrue(answer.contentType().startsWith("text/plain"));
        assertEquals("Validation: Testing client application", answer.body());
    }

    @Test
    void whenANotificationCarriesItsSubscriptionsClientStateThenOneSyncRequestIsQueued() {
        subscriptions.save(new Subscriptions.Held(subscriptionId, connectionId, SyncResource.CALENDAR, Secrets.sha256(clientState), clock.instant()));

        NotificationReceiver.Answer answer = receiver.receive(Map.of(), batch(subscriptionId, clientState, null));

        assertEquals(202, answer.status());
        List<String> queued = queue.receiveVisible();
        assertEquals(1, queued.size());
        SyncRequest request = SyncRequest.parse(queued.get(0)).orElseThrow();
        assertEquals(connectionId, request.connectionId());
        assertEquals(SyncResource.CALENDAR, request.resource());
        assertEquals("notification", request.reason());
    }

    /** The request is a queue message (64 KiB): an event Graph does not send, as long as a body may be, is named generically. */
    @Test
    void whenAnUnknownOrHugeLifecycleEventArrivesThenTheRequestIsARunWithoutItsText() {
        subscriptions.save(new Subscriptions.Held(subscriptionId, connectionId, SyncResource.INBOX, Secrets.sha256(clientState), clock.instant()));

        assertEquals(202, receiver.receive(Map.of(), batch(subscriptionId, clientState, "x".repeat(100_000))).status());
        receiver.receive(Map.of(), batch(subscriptionId, clientState, "missed"));

        List<String> queued = queue.receiveVisible();
        assertEquals(List.of("lifecycleEvent", "missed"), queued.stream().map(m -> SyncRequest.parse(m).orElseThrow().reason()).toList());
        assertTrue(queued.get(0).length() < 1000, queued.get(0).length() + " characters");
    }

    @Test
    void whenALifecycleEventArrivesThenTheRequestSaysWhich() {
        subscriptions.save(new Subscriptions.Held(subscriptionId, connectionId, SyncResource.INBOX, Secrets.sha256(clientState), clock.instant()));

        receiver.receive(Map.of(), batch(subscriptionId, clientState, "subscriptionRemoved"));

        assertEquals("subscriptionRemoved", SyncRequest.parse(queue.receiveVisible().get(0)).orElseThrow().reason());
    }

    @Test
    void whenTheClientStateIsWrongOrTheSubscriptionUnknownThenItIsAcknowledgedDroppedAndCountedWithoutNamingAnything() {
        subscriptions.save(new Subscriptions.Held(subscriptionId, connectionId, SyncResource.INBOX, Secrets.sha256(clientState), clock.instant()));
        try (LogRecorder log = new LogRecorder()) {
            assertEquals(202, receiver.receive(Map.of(), batch(subscriptionId, "forged", null)).status());
            assertEquals(202, receiver.receive(Map.of(), batch(UUID.randomUUID().toString(), clientState, null)).status());
            assertEquals(202, receiver.receive(Map.of(), "not json").status());

            assertEquals(0, queue.size(), "nothing synced for them");
            List<String> lines = log.atOrAbove(Level.INFO).stream().filter(l -> l.contains("NotificationReceiver")).toList();
            assertEquals(3, lines.size(), lines.toString());
            assertTrue(lines.stream().noneMatch(l -> l.contains(clientState) || l.contains(subscriptionId) || l.contains("forged")), lines.toString());
        }
    }

    @Test
    void whenABatchHoldsABurstOfOneSubscriptionThenOneRequestIsQueuedPerSubscriptionAndEvent() {
        String calendarSubscription = UUID.randomUUID().toString();
        subscriptions.save(new Subscriptions.Held(subscriptionId, connectionId, SyncResource.INBOX, Secrets.sha256(clientState), clock.instant()));
        subscriptions.save(new Subscriptions.Held(calendarSubscription, connectionId, SyncResource.CALENDAR, Secrets.sha256(clientState),
                clock.instant()));
        List<String> notifications = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            notifications.add(notification(subscriptionId, clientState, null));
        }
        notifications.add(notification(subscriptionId, clientState, "missed"));
        notifications.add(notification(calendarSubscription, clientState, null));
        notifications.add(notification(calendarSubscription, clientState, null));
        notifications.add(notification(subscriptionId, "forged", null));
        notifications.add(notification(subscriptionId, "forged", null));

        try (LogRecorder log = new LogRecorder()) {
            assertEquals(202, receiver.receive(Map.of(), "{\"value\":[" + String.join(",", notifications) + "]}").status());

            List<String> queued = queue.receiveVisible().stream().map(m -> SyncRequest.parse(m).orElseThrow())
                    .map(r -> r.resource().id() + ":" + r.reason()).sorted().toList();
            assertEquals(List.of("calendar:notification", "inbox:missed", "inbox:notification"), queued);
            assertTrue(log.atOrAbove(Level.INFO).stream().anyMatch(l -> l.contains("Dropped 2 notification(s) of 55")), log.atOrAbove(Level.INFO).toString());
        }
    }

    /**
     * Storage that hangs instead of failing (a black-hole endpoint: connections accepted, never answered). Graph retries
     * a notification only if it gets an answer within 10 s, and drops notifications to endpoints that are often slower:
     * the receiver answers 503 when its budget (5 s in production, 300 ms here) runs out, and Graph delivers it again.
     * Without the budget the table client waits out its own timeouts and retries (minutes), which the 10 s bound catches.
     */
    @Test
    void whenTheSubscriptionsTableHangsThenTheAnswerIsA503WithinGraphsTenSeconds() throws Exception {
        try (BlackHole hole = new BlackHole(); LogRecorder log = new LogRecorder()) {
            Subscriptions hanging = new Subscriptions(new TableServiceClientBuilder().connectionString(hole.connectionString("TableEndpoint"))
                    .buildClient().getTableClient("subscriptions"));
            NotificationReceiver bounded = new NotificationReceiver(hanging, queue, clock, Duration.ofMillis(300));

            NotificationReceiver.Answer answer = CompletableFuture.supplyAsync(() -> bounded.receive(Map.of(), batch(subscriptionId, clientState, null)))
                    .get(10, TimeUnit.SECONDS);

            assertEquals(503, answer.status(), "Graph delivers a notification again after a 5xx");
            assertEquals(0, queue.size());
            assertTrue(hole.connections() > 0, "the read reached the hanging endpoint");
            List<String> warnings = log.atOrAbove(Level.WARNING).stream().filter(l -> l.contains("Answered 503")).toList();
            assertEquals(1, warnings.size(), log.atOrAbove(Level.INFO).toString());
            assertTrue(warnings.stream().noneMatch(l -> l.contains(clientState) || l.contains(subscriptionId) || l.contains("AccountKey")), warnings.toString());
        }
    }

    @Test
    void whenTheQueueHangsThenTheAnswerIsA503WithinGraphsTenSeconds() throws Exception {
        subscriptions.save(new Subscriptions.Held(subscriptionId, connectionId, SyncResource.INBOX, Secrets.sha256(clientState), clock.instant()));
        try (BlackHole hole = new BlackHole()) {
            WorkQueue hanging = new StorageWorkQueue(new QueueClientBuilder().connectionString(hole.connectionString("QueueEndpoint"))
                    .queueName("sync-requests").buildClient());
            NotificationReceiver bounded = new NotificationReceiver(subscriptions, hanging, clock, Duration.ofMillis(300));

            NotificationReceiver.Answer answer = CompletableFuture.supplyAsync(() -> bounded.receive(Map.of(), batch(subscriptionId, clientState, null)))
                    .get(10, TimeUnit.SECONDS);

            assertEquals(503, answer.status());
            assertTrue(hole.connections() > 0, "the send reached the hanging endpoint");
        }
    }

    @Test
    void whenTheQueueDoesNotExistYetThenTheBoundedSendCreatesItAndTheRunIsQueued() {
        subscriptions.save(new Subscriptions.Held(subscriptionId, connectionId, SyncResource.INBOX, Secrets.sha256(clientState), clock.instant()));
        QueueClient fresh = new QueueClientBuilder().connectionString(Azurite.shared().connectionString())
                .queueName("r" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "-sync").buildClient();
        NotificationReceiver bounded = new NotificationReceiver(subscriptions, new StorageWorkQueue(fresh), clock);

        assertEquals(202, bounded.receive(Map.of(), batch(subscriptionId, clientState, null)).status(), "an empty storage account is no outage");
        assertEquals(1, fresh.getProperties().getApproximateMessagesCount());
    }

    @Test
    void whenTheSubscriptionsTableDoesNotExistYetThenTheNotificationIsDroppedNotAnOutage() {
        Subscriptions none = new Subscriptions(new TableServiceClientBuilder().connectionString(Azurite.shared().connectionString())
                .buildClient().getTableClient("r" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "subscriptions"));
        NotificationReceiver bounded = new NotificationReceiver(none, queue, clock);

        assertEquals(202, bounded.receive(Map.of(), batch(subscriptionId, clientState, null)).status());
        assertEquals(0, queue.size());
    }

    @Test
    void whenStorageRefusesConnectionsThenTheAnswerIsA503NotAnError() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Subscriptions unreachable = new Subscriptions(new TableServiceClientBuilder().connectionString(BlackHole.connectionString("TableEndpoint", closed))
                .buildClient().getTableClient("subscriptions"));
        NotificationReceiver bounded = new NotificationReceiver(unreachable, queue, clock, Duration.ofMillis(300));

        assertEquals(503, CompletableFuture.supplyAsync(() -> bounded.receive(Map.of(), batch(subscriptionId, clientState, null)))
                .get(10, TimeUnit.SECONDS).status());
        assertEquals(0, queue.size());
    }

    /** Accepts connections and never answers them. */
    private static final class BlackHole implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> held = new CopyOnWriteArrayList<>();

        BlackHole() throws Exception {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        held.add(server.accept());
                    } catch (Exception closed) {
                        return;
                    }
                }
            }, "black-hole");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int connections() {
            return held.size();
        }

        String connectionString(String endpoint) {
            return connectionString(endpoint, server.getLocalPort());
        }

        static String connectionString(String endpoint, int port) {
            String azurite = Azurite.shared().connectionString();
            String key = azurite.replaceAll(".*AccountKey=([^;]+);.*", "$1");
            return "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + key + ";" + endpoint
                    + "=http://127.0.0.1:" + port + "/devstoreaccount1;";
        }

        @Override
        public void close() throws Exception {
            server.close();
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    private static String notification(String subscription, String state, String lifecycleEvent) {
        return "{\"subscriptionId\":\"" + subscription + "\",\"clientState\":\"" + state + "\",\"changeType\":\"created\","
                + "\"resource\":\"Users/x/Messages/y\",\"tenantId\":\"t\"" + (lifecycleEvent == null ? "" : ",\"lifecycleEvent\":\"" + lifecycleEvent
                + "\"") + "}";
    }
}
