package io.m365connector.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueClientBuilder;
import com.azure.storage.queue.models.PeekedMessageItem;
import io.m365connector.testing.Azurite;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The Storage queue over Azurite: a kept message (a poison queue's) does not expire after the default 7 days. */
class StorageWorkQueueTest {
    private final QueueClient client = new QueueClientBuilder().connectionString(Azurite.shared().connectionString())
            .queueName("q" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)).buildClient();
    private final StorageWorkQueue queue = new StorageWorkQueue(client);

    @Test
    void whenAMessageIsKeptThenItNeverExpiresWhileASentOneExpiresAfterSevenDays() {
        queue.send("sent", Duration.ZERO); // creates the queue on first use
        queue.keep("kept");

        OffsetDateTime sevenDays = OffsetDateTime.now().plusDays(7).plusHours(1);
        for (PeekedMessageItem item : client.peekMessages(2, null, null)) {
            String text = item.getBody().toString();
            if (text.equals("sent")) {
                assertTrue(item.getExpirationTime().isBefore(sevenDays), "the default: " + item.getExpirationTime());
            } else {
                assertEquals("kept", text);
                assertTrue(item.getExpirationTime().isAfter(OffsetDateTime.now().plusYears(100)), "never: " + item.getExpirationTime());
            }
        }
        assertEquals(2, client.peekMessages(32, null, null).stream().count());
    }
}
