package io.m365connector.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.FakeManagedIdentityEndpoint;
import io.m365connector.testing.IdentityStorage;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * Storage that refuses the app's credentials: a wrong account key in AzureWebJobsStorage, or a token the account does not
 * take. Azurite answers both with an XML error body, which the Table SDK reads with Jackson's XML mapper (a LinkageError,
 * then NoClassDefFoundError for the rest of the JVM's life, before jackson-dataformat-xml was shipped). Each call is
 * refused as {@code storage_unavailable}, the second like the first, and nothing reaches Graph.
 */
class StorageRefusalTest {
    private static final String MAIL = "{\"to\":[\"candidate@fabrikam.com\"],\"subject\":\"Your interview\",\"body\":\"See you\"}";

    @Test
    void whenTheAccountKeyIsWrongThenEverySendIsRefusedAsStorageUnavailableAndNothingIsSent() {
        try (ConnectorHarness h = new ConnectorHarness()) {
            ConnectorHarness.Connected c = h.connect(NationalCloud.GLOBAL, "\"mail\"");
            String wrongKey = "AccountKey=" + Base64.getEncoder().encodeToString(new byte[64]);
            ConnectorHarness.Instance instance = h.newInstance(env -> env.put("AzureWebJobsStorage",
                    env.get("AzureWebJobsStorage").replaceAll("AccountKey=[^;]*", wrongKey)));

            assertRefusedTwice(h, c, instance);
        }
    }

    @Test
    void whenTheStorageAccountRefusesTheIdentitysTokenThenEverySendIsRefusedAsStorageUnavailable() {
        Azurite azurite = Azurite.secured();
        try (ConnectorHarness h = new ConnectorHarness(env -> env.put("AzureWebJobsStorage", azurite.connectionString()), null);
             FakeManagedIdentityEndpoint identity = IdentityStorage.endpoint(h.entra)) {
            ConnectorHarness.Connected c = h.connect(NationalCloud.GLOBAL, "\"mail\"");
            identity.setTokenLifetime(Duration.ofMinutes(-5)); // expired tokens, announced as valid for an hour
            ConnectorHarness.Instance instance = IdentityStorage.instance(h, azurite, identity, IdentityStorage.CLIENT_ID);

            assertRefusedTwice(h, c, instance);
            assertTrue(identity.requests().size() >= 1, "the token came from the identity endpoint");
        }
    }

    private static void assertRefusedTwice(ConnectorHarness h, ConnectorHarness.Connected c, ConnectorHarness.Instance instance) {
        for (String key : new String[] {"refused-1", "refused-2"}) {
            FakeHttpResponse refused = instance.sendMail(c.connectionId(), key, MAIL);
            assertEquals(503, refused.getStatusCode(), refused.bodyText());
            assertTrue(refused.bodyText().contains("storage_unavailable"), refused.bodyText());
        }
        assertEquals(0, h.graph.sentMail(c.user().userPrincipalName()).size(), "nothing sent");
    }
}
