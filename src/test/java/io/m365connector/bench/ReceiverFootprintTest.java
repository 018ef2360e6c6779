package io.m365connector.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.functions.SyncFunctions;
import io.m365connector.testing.ConnectorHarness;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a cold notification receiver loads (Graph drops notifications to endpoints that answer slower than 3 s
 * too often, so its cold start must stay small): a fresh JVM, built as the Functions worker builds the app,
 * answers a real change notification 202 and queues its run without loading the Graph SDK, Kiota, MSAL,
 * azure-identity or Key Vault, with storage reached by a connection string (as here, on Azurite). With
 * identity-based storage (the infra template's) the storage token needs the hosting credential: azure-identity,
 * and the MSAL classes its managed identity uses, load then. The time it takes is a benchmark's
 * (ReceiverColdStartBenchmark), not asserted here.
 */
class ReceiverFootprintTest {
    @Test
    void whenAColdInstanceWithAStorageConnectionStringAnswersANotificationThenItLoadsNeitherGraphNorMsalNorTheHostingCredential() throws Exception {
        try (ConnectorHarness h = ConnectorHarness.withClockedQueues(env -> { })) {
            ReceiverColdStartBenchmark.Prepared prepared = ReceiverColdStartBenchmark.prepare(h);
            h.queue(SyncFunctions.SYNC_QUEUE).createIfNotExists();
            int queuedBefore = h.queue(SyncFunctions.SYNC_QUEUE).getProperties().getApproximateMessagesCount();

            Map<String, Integer> classes = ReceiverColdStartBenchmark.coldFootprint(prepared);

            assertEquals(queuedBefore + 1, h.queue(SyncFunctions.SYNC_QUEUE).getProperties().getApproximateMessagesCount(),
                    "the cold answer queued the run");
            assertTrue(classes.get("azure-data-tables") > 0 && classes.get("azure-storage-queue") > 0, "the log is read: " + classes);
            for (String library : new String[] {"microsoft-graph", "kiota", "msal4j", "azure-identity", "azure-security-keyvault"}) {
                assertEquals(0, classes.get(library), library + " loaded by the receiver: " + classes);
            }
        }
    }
}
