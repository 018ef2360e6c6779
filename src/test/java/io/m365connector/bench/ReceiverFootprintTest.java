package io.m365connector.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.functions.SyncFunctions;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.ConnectorHarness;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a cold notification receiver loads (Graph drops notifications to endpoints that answer slower than 3 s
 * too often, so its cold start must stay small): a fresh JVM, built as the Functions worker builds the app,
 * answers a real change notification 202 and queues its run without loading the Graph SDK, Kiota, MSAL,
 * azure-identity or Key Vault: with storage reached by a connection string (Azurite's account key), and with
 * identity-based storage as the infra template deploys it, where the storage token comes from the platform's identity
 * endpoint (asked directly, without azure-identity and MSAL's managed identity) and Azurite checks it. The time it
 * takes is a benchmark's (ReceiverColdStartBenchmark), not asserted here. Nor does it initialise reactor's schedulers:
 * its storage calls are synchronous end to end (a pipeline policy without {@code processSync} would block on reactor).
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
            assertNoneOfGraphMsalIdentityKeyVaultOrReactor(classes);
        }
    }

    @Test
    void whenAColdInstanceWithIdentityBasedStorageAnswersANotificationThenItLoadsNeitherGraphNorMsalNorAzureIdentity() throws Exception {
        Azurite azurite = Azurite.secured();
        try (ConnectorHarness h = ConnectorHarness.withClockedQueues(env -> env.put("AzureWebJobsStorage", azurite.connectionString()))) {
            ReceiverColdStartBenchmark.ChildStorage storage = ReceiverColdStartBenchmark.ChildStorage.identityBased(h, azurite, false);
            ReceiverColdStartBenchmark.Prepared prepared = ReceiverColdStartBenchmark.prepare(h, storage);
            h.queue(SyncFunctions.SYNC_QUEUE).createIfNotExists();
            int queuedBefore = h.queue(SyncFunctions.SYNC_QUEUE).getProperties().getApproximateMessagesCount();

            Map<String, Integer> classes = ReceiverColdStartBenchmark.coldFootprint(prepared);

            assertEquals(queuedBefore + 1, h.queue(SyncFunctions.SYNC_QUEUE).getProperties().getApproximateMessagesCount(),
                    "the cold answer read the subscription and queued the run with the identity's token: " + classes);
            assertTrue(classes.get("azure-data-tables") > 0 && classes.get("azure-storage-queue") > 0, "the log is read: " + classes);
            assertNoneOfGraphMsalIdentityKeyVaultOrReactor(classes);
        }
    }

    private static void assertNoneOfGraphMsalIdentityKeyVaultOrReactor(Map<String, Integer> classes) {
        for (String library : new String[] {"microsoft-graph", "kiota", "msal4j", "azure-identity", "azure-security-keyvault"}) {
            assertEquals(0, classes.get(library), library + " loaded by the receiver: " + classes);
        }
        assertEquals(0, classes.get(ReceiverColdStartBenchmark.REACTOR_SCHEDULERS),
                "a synchronous storage call went through reactor (a policy without processSync): " + classes);
    }
}
