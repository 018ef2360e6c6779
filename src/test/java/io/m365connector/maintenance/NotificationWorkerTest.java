package io.m365connector.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.platform.Json;
import io.m365connector.platform.webhooks.WebhookSecret;
import io.m365connector.platform.webhooks.WebhookSender;
import io.m365connector.platform.webhooks.WebhookSigner;
import io.m365connector.testing.ClockedWorkQueue;
import io.m365connector.testing.MutableClock;
import io.m365connector.testing.StandardWebhooks;
import io.m365connector.testing.WebhookReceiver;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Webhook retries with backoff, on queues whose visibility delays run on the test's clock: nothing waits. */
class NotificationWorkerTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
    private final WebhookReceiver receiver = new WebhookReceiver();
    private final ClockedWorkQueue retries = new ClockedWorkQueue(clock);
    private final ClockedWorkQueue poison = new ClockedWorkQueue(clock);
    private final NotificationWorker worker = new NotificationWorker(new WebhookSender(URI.create(receiver.url()),
            new WebhookSigner(WebhookSecret.parse(StandardWebhooks.newSecret())), new OkHttpClient(), clock), retries, poison);

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void whenTheWebAppFailsThenTheEventComesBackAfterTheBackoffAndIsDeliveredOnTheRetry() {
        receiver.answerNext(500);
        worker.handle("{\"event\":{\"id\":\"evt_1\",\"status\":\"disconnected\"},\"attempt\":1}");

        assertEquals(1, receiver.received().size(), "the first attempt reached the web app and failed");
        assertEquals(1, retries.size());
        clock.advance(Duration.ofSeconds(29));
        assertTrue(retries.receiveVisible().isEmpty(), "hidden for the 30 s backoff");
        clock.advance(Duration.ofSeconds(1));
        String retry = retries.receiveVisible().get(0);
        JsonNode envelope = Json.read(retry, JsonNode.class);
        assertEquals(2, envelope.get("attempt").asInt());
        assertEquals("evt_1", envelope.get("event").get("id").asText());

        worker.handle(retry);

        assertEquals(2, receiver.received().size(), "delivered on the retry");
        assertEquals(0, retries.size());
    }

    @Test
    void whenEveryAttemptFailsThenTheBackoffDoublesToAnHourAndTheLastGoesToThePoisonQueue() {
        assertEquals(Duration.ofSeconds(30), NotificationWorker.backoff(1));
        assertEquals(Duration.ofSeconds(60), NotificationWorker.backoff(2));
        assertEquals(Duration.ofHours(1), NotificationWorker.backoff(NotificationWorker.MAX_ATTEMPTS - 1));
        receiver.answerNext(500);

        worker.handle("{\"event\":{\"id\":\"evt_2\"},\"attempt\":" + NotificationWorker.MAX_ATTEMPTS + "}");

        assertEquals(0, retries.size());
        assertEquals(1, poison.receiveVisible().size(), "the last failure is kept for an operator");
    }
}
