package io.m365connector.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.QueueMessageItem;
import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.app.ContextParts;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.demo.SampleWebApp;
import io.m365connector.platform.webhooks.WebhookSecret;
import io.m365connector.platform.webhooks.WebhookSender;
import io.m365connector.platform.webhooks.WebhookSigner;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.Ports;
import io.m365connector.testing.StandardWebhooks;
import io.m365connector.testing.WebhookReceiver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real deliveries checked by the official Standard Webhooks library (npm {@code standardwebhooks}),
 * in a web app as a team would run it: the sample web app (Node.js) receives the connector's webhooks
 * and answers 204 only when the library verified them, 400 otherwise.
 */
class StandardWebhooksInteropTest {
    private static final String SECRET = StandardWebhooks.newSecret();
    private static final int PORT = Ports.free();
    private static final String HOOK = "http://localhost:" + PORT + "/webhooks/m365-connector";
    private static final SampleWebApp WEB_APP = new SampleWebApp(PORT, Map.of(
            "CONNECTOR_API_URL", "http://localhost:9/api", "CONNECTOR_FUNCTION_KEY", "unused-here", "CONNECTOR_WEBHOOK_SECRET", SECRET), null);
    private static final ConnectorHarness HARNESS = new ConnectorHarness(env -> {
        env.put("NOTIFY_WEBHOOK_URL", HOOK);
        env.put("NOTIFY_WEBHOOK_SIGNING_SECRET", SECRET);
    }, null);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @AfterAll
    static void tearDown() {
        HARNESS.close();
        WEB_APP.close();
    }

    @BeforeEach
    void emptyQueue() {
        HARNESS.clock.set(Instant.now());
        queue().createIfNotExists();
        queue().clearMessages();
    }

    @Test
    void whenTheConnectorDeliversStatusEventsThenTheLibraryVerifiesEachAndNothingIsRetried() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        assertEquals(200, HARNESS.deleteConnection(c.connectionId()).getStatusCode());

        List<String> ids = deliverQueued();

        assertEquals(2, ids.size(), "connected, then disconnected");
        for (String id : ids) {
            assertTrue(WEB_APP.printed(("webhook " + id + " connection.status_changed verified")::equals, Duration.ofSeconds(10)),
                    id + ": " + WEB_APP.output());
        }
        assertEquals(0, queue().getProperties().getApproximateMessagesCount(), "both accepted (2xx): no retry queued");
    }

    @Test
    void whenARealDeliveryIsAlteredThenTheLibraryRefusesItAndTheUnalteredOneStillPasses() throws Exception {
        WebhookReceiver recorder = new WebhookReceiver();
        String body = "{\"id\":\"evt_interop1\",\"type\":\"connection.status_changed\",\"occurredAt\":\"2027-01-04T10:00:00Z\","
                + "\"connectionId\":\"con_" + "1".repeat(32) + "\",\"ownerId\":\"u1\",\"cloud\":\"global\",\"status\":\"needs_reauth\","
                + "\"previousStatus\":\"active\",\"errorCode\":\"reauth_required\"}";
        new WebhookSender(URI.create(recorder.url()), new WebhookSigner(WebhookSecret.parse(SECRET)), ContextParts.of(HARNESS.context).http().okHttp(),
                Clock.systemUTC()).send("evt_interop1", body);
        WebhookReceiver.Received delivered = recorder.received().get(0);
        recorder.close();
        Map<String, String> headers = Map.of("webhook-id", delivered.headers().get("webhook-id"),
                "webhook-timestamp", delivered.headers().get("webhook-timestamp"),
                "webhook-signature", delivered.headers().get("webhook-signature"));

        assertEquals(400, post(delivered.body().replace("needs_reauth", "active\",\"x\":\"1"), headers), "a changed body");
        assertEquals(400, post(delivered.body(), Map.of("webhook-id", "evt_other", "webhook-timestamp", headers.get("webhook-timestamp"),
                "webhook-signature", headers.get("webhook-signature"))), "another id");
        assertEquals(400, post(delivered.body(), Map.of()), "no signature");
        assertEquals(204, post(delivered.body(), headers), "the delivery as sent");
        assertEquals(204, post(delivered.body(), headers), "its repeat is acknowledged");
        assertTrue(WEB_APP.printed("webhook evt_interop1 connection.status_changed verified (a repeat: ignored)"::equals, Duration.ofSeconds(10)),
                WEB_APP.output().toString());
    }

    @Test
    void whenTheConnectorSignsWithTheNextSecretBesideTheCurrentOneThenTheLibraryStillVerifies() throws Exception {
        // docs/OPERATIONS.md, rotating the signing secret: the connector signs with both while the web app moves
        WebhookSender rotating = new WebhookSender(URI.create(HOOK), new WebhookSigner(List.of(WebhookSecret.parse(StandardWebhooks.newSecret()),
                WebhookSecret.parse(SECRET))), ContextParts.of(HARNESS.context).http().okHttp(), Clock.systemUTC());

        rotating.send("evt_rotate1", "{\"id\":\"evt_rotate1\",\"type\":\"connection.status_changed\"}");

        assertTrue(WEB_APP.printed(line -> line.startsWith("webhook evt_rotate1 ") && line.endsWith(" verified"), Duration.ofSeconds(10)),
                WEB_APP.output().toString());
    }

    @Test
    void whenTheTimestampIsOldThenTheLibraryRefusesItAndTheConnectorRetriesTheSameEvent() throws Exception {
        WebhookSender late = new WebhookSender(URI.create(HOOK), new WebhookSigner(WebhookSecret.parse(SECRET)), ContextParts.of(HARNESS.context).http().okHttp(),
                Clock.offset(Clock.system(ZoneOffset.UTC), Duration.ofMinutes(-10)));
        IOException refused = assertThrows(IOException.class, () -> late.send("evt_old1", "{\"id\":\"evt_old1\"}"));
        assertEquals("webhook answered HTTP 400", refused.getMessage());

        String id = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId();
        HARNESS.clock.set(Instant.now().minus(Duration.ofMinutes(10))); // the connector's clock 10 minutes behind the web app's
        List<String> ids = deliverQueued();
        assertEquals(1, ids.size(), id);
        assertTrue(WEB_APP.printed(line -> line.startsWith("webhook refused:"), Duration.ofSeconds(10)), WEB_APP.output().toString());
        assertEquals(1, queue().getProperties().getApproximateMessagesCount(), "the refused event is queued again (attempt 2, in 30 s)");
    }

    /** Hands every queued event to the worker, as the queue trigger would; returns their ids. */
    private static List<String> deliverQueued() {
        List<String> ids = new ArrayList<>();
        for (QueueMessageItem item : queue().receiveMessages(32)) {
            JsonNode envelope = ConnectorHarness.json(item.getBody().toString());
            ids.add(envelope.get("event").get("id").asText());
            ContextParts.of(HARNESS.context).notificationWorker().handle(item.getBody().toString());
            queue().deleteMessage(item.getMessageId(), item.getPopReceipt());
        }
        return ids;
    }

    private static QueueClient queue() {
        return HARNESS.queue("status-notifications");
    }

    private static int post(String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(HOOK)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
