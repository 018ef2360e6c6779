package io.m365connector.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.queue.QueueClient;
import com.sun.net.httpserver.HttpServer;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.platform.Settings.HttpSettings;
import io.m365connector.platform.Settings.StorageSettings;
import io.m365connector.platform.http.HostRouting;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.testing.RecordingSleeper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Storage queue client retries as the Table and Key Vault clients do: azure-core's three retries with their backoff
 * waited on the app's sleeper (Storage's own retry policy, which waits in Thread.sleep, makes one try only), each try
 * signed anew.
 */
class QueueClientRetryTest {
    private static final String KEY = Base64.getEncoder().encodeToString(new byte[64]);
    private static final String ENQUEUED = """
            <?xml version="1.0" encoding="utf-8"?><QueueMessagesList><QueueMessage><MessageId>5974b586-0df3-4e2d-ad0c-18e3892bfca2</MessageId>\
            <InsertionTime>Fri, 09 Oct 2026 21:04:30 GMT</InsertionTime><ExpirationTime>Fri, 16 Oct 2026 21:04:30 GMT</ExpirationTime>\
            <PopReceipt>YzQ4Yzg1MDItYTc0Ny00OWNjLTkxYTUtZGM0MDFiZDAwYzEw</PopReceipt><TimeNextVisible>Fri, 09 Oct 2026 21:04:30 GMT</TimeNextVisible>\
            </QueueMessage></QueueMessagesList>""";

    private final OutboundHttp http = new OutboundHttp(new HttpSettings(Duration.ofSeconds(5), Optional.empty()), HostRouting.DIRECT);
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void whenTheQueueServiceIsBusyThenTheSendIsRetriedAfterWaitsOnTheAppsSleeperAndEachTryIsSigned() throws IOException {
        AtomicInteger tries = new AtomicInteger();
        List<String> authorizations = new CopyOnWriteArrayList<>();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/devstoreaccount1/status-notifications/messages", exchange -> {
            exchange.getRequestBody().readAllBytes();
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            if (tries.incrementAndGet() <= 2) {
                exchange.sendResponseHeaders(503, -1);
            } else {
                byte[] body = ENQUEUED.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/xml");
                exchange.sendResponseHeaders(201, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        RecordingSleeper sleeper = new RecordingSleeper(Duration.ZERO);

        queue("http://127.0.0.1:" + server.getAddress().getPort(), sleeper).sendMessage("hello");

        assertEquals(3, tries.get(), "two 503s, then the message is taken");
        assertWaits(sleeper.waits(), 2);
        assertTrue(authorizations.stream().allMatch(a -> a.startsWith("SharedKey devstoreaccount1:")), authorizations.toString());
    }

    @Test
    void whenTheQueueServiceIsUnreachableThenTheSendFailsAfterThreeRetriesWaitedOnTheAppsSleeper() {
        RecordingSleeper sleeper = new RecordingSleeper(Duration.ZERO);

        assertThrows(RuntimeException.class, () -> queue("http://127.0.0.1:1", sleeper).sendMessage("hello"));

        assertWaits(sleeper.waits(), 3);
    }

    private QueueClient queue(String endpoint, RecordingSleeper sleeper) {
        StorageSettings storage = new StorageSettings(Optional.of("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey="
                + KEY + ";QueueEndpoint=" + endpoint + "/devstoreaccount1;"), Optional.empty());
        return AzureClients.queue(storage, HostingCloud.GLOBAL, () -> null, http.azureHttpClient(), sleeper, "status-notifications");
    }

    /** azure-core's backoff: 100 ms doubling, ±5 % jitter. */
    private static void assertWaits(List<Duration> waits, int count) {
        assertEquals(count, waits.size(), waits.toString());
        for (int retry = 0; retry < count; retry++) {
            long expected = 100L << retry;
            long millis = waits.get(retry).toMillis();
            assertTrue(millis >= expected * 0.95 - 1 && millis <= expected * 1.05 + 1, "retry " + retry + " waited " + waits);
        }
    }
}
