package io.m365connector.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.TableServiceClientBuilder;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableServiceException;
import io.m365connector.platform.Settings.HttpSettings;
import io.m365connector.platform.http.HostRouting;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.CountingHttpClient;
import io.m365connector.testing.LogRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Deleting what matches a filter (housekeeping, a disconnect's clean-up) on the real Table SDK against Azurite. */
class TableAccessTest {
    private final CountingHttpClient counting = new CountingHttpClient(
            new OutboundHttp(new HttpSettings(Duration.ofSeconds(10), Optional.empty()), HostRouting.DIRECT).azureHttpClient());
    private TableClient client;
    private TableAccess table;

    @BeforeEach
    void setUp() {
        client = new TableServiceClientBuilder().connectionString(Azurite.shared().connectionString()).httpClient(counting).buildClient()
                .getTableClient("access" + UUID.randomUUID().toString().replace("-", "").substring(0, 10));
        table = new TableAccess(client);
    }

    /** A size refusal cannot be retried away: it still reads as unavailable, and is logged apart, naming the table, not the value. */
    @Test
    void whenAWriteIsTooLargeForTableStorageThenItIsLoggedAsASizeRefusalWithoutTheValue() {
        String huge = "secret-" + "x".repeat(40_000);
        try (LogRecorder log = new LogRecorder()) {
            StorageUnavailableException e = assertThrows(StorageUnavailableException.class,
                    () -> table.upsert(new TableEntity("p", "r").addProperty("Big", huge)));
            assertTrue(e.detail().contains("for its size (PropertyValueTooLarge)") && !e.detail().contains("network"),
                    "the answer does not send the operator to check the network: " + e.detail());

            List<String> severe = log.atOrAbove(Level.SEVERE).stream().filter(line -> line.contains(TableAccess.class.getName())).toList();
            assertEquals(1, severe.size(), severe.toString());
            assertTrue(severe.get(0).contains("PropertyValueTooLarge") && severe.get(0).contains(client.getTableName()), severe.get(0));
            assertTrue(log.records().stream().noneMatch(r -> String.valueOf(r.getMessage()).contains("secret-")), "the value is never logged");
        }
    }

    /** An answer without an error body (a gateway's 503, say) is still an outage, not a NullPointerException. */
    @Test
    void whenTableStorageAnswersWithoutAnErrorBodyThenItIsUnavailable() {
        assertThrows(StorageUnavailableException.class, () -> table.call(() -> {
            throw new TableServiceException("no body", null);
        }));
    }

    @Test
    void whenManyRowsOfTwoPartitionsMatchThenTheyGoInTransactionsOfAHundredAndTheOthersStay() {
        insert("a", 250, "old");
        insert("b", 3, "old");
        insert("a", 2, "new");
        counting.reset();

        int deleted = table.deleteMatching("Age eq 'old'");
        int requests = counting.requests();

        assertEquals(253, deleted);
        assertEquals(List.of("a/new-0", "a/new-1"), keys());
        // one listing (Azurite pages at 1,000) and four transactions: 100, 100, 50 rows of a, 3 of b
        assertEquals(5, requests, "requests for 253 deletions");
    }

    @Test
    void whenARowOfATransactionIsAlreadyGoneThenTheOthersAreDeletedOneByOneAndCounted() {
        insert("a", 5, "old");
        List<TableEntity> rows = new ArrayList<>(client.listEntities().stream().toList());
        client.deleteEntity("a", "old-2"); // another housekeeping run, or a disconnect, was faster

        int deleted = table.deleteTogether(rows);

        assertEquals(4, deleted);
        assertTrue(keys().isEmpty(), keys().toString());
    }

    @Test
    void whenTheTableDoesNotExistThenNothingIsDeletedAndNothingFails() {
        assertEquals(0, table.deleteMatching("Age eq 'old'"));
    }

    private void insert(String partition, int count, String age) {
        for (int i = 0; i < count; i++) {
            table.upsert(new TableEntity(partition, age + "-" + i).addProperty("Age", age));
        }
    }

    private List<String> keys() {
        return client.listEntities().stream().map(e -> e.getPartitionKey() + "/" + e.getRowKey()).sorted().toList();
    }
}
