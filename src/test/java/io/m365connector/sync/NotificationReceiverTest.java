package io.m365connector.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.data.tables.TableServiceClientBuilder;
import io.m365connector.connection.Connection;
import io.m365connector.platform.Secrets;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.ClockedWorkQueue;
import io.m365connector.testing.LogRecorder;
import io.m365connector.testing.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** The receiver Graph posts to: the handshake, clientState checks, one queued request per good notification, nothing more. */
class NotificationReceiverTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
    private final Subscriptions subscriptions = new Subscriptions(new TableServiceClientBuilder()
            .connectionString(Azurite.shared().connectionString()).buildClient().getTableClient("r" + UUID.randomUUID().toString().substring(0, 8)
                    .replace("-", "") + "subscriptions"));
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

    private static String notification(String subscription, String state, String lifecycleEvent) {
        return "{\"subscriptionId\":\"" + subscription + "\",\"clientState\":\"" + state + "\",\"changeType\":\"created\","
                + "\"resource\":\"Users/x/Messages/y\",\"tenantId\":\"t\"" + (lifecycleEvent == null ? "" : ",\"lifecycleEvent\":\"" + lifecycleEvent
                + "\"") + "}";
    }
}
