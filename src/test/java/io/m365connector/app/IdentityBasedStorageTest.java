package io.m365connector.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.FakeManagedIdentityEndpoint;
import io.m365connector.testing.IdentityStorage;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Identity-based storage as the infra template deploys it (AzureWebJobsStorage__tableServiceUri / __queueServiceUri and
 * the platform's identity endpoint, no account key) against a real Azurite that takes only what Table Storage takes
 * from an identity: HTTPS, and a bearer token for https://storage.azure.com from an Entra ID issuer, within its
 * lifetime (Azurite's --oauth basic). The storage host names are the hosting cloud's real ones, routed to that
 * Azurite, so a token for the wrong resource, plain HTTP or a wrong host fails here. The harness writes its data with
 * the account key; the instance under test reads and writes it with the identity's token.
 */
class IdentityBasedStorageTest {
    private static final String STORAGE_IDENTITY = IdentityStorage.CLIENT_ID;
    private static final Azurite AZURITE = Azurite.secured();
    private static final String MAIL = "{\"to\":[{\"address\":\"candidate@fabrikam.com\"}],\"subject\":\"Your interview\","
            + "\"body\":{\"contentType\":\"text\",\"content\":\"See you\"}}";

    private final ConnectorHarness h = new ConnectorHarness(env -> env.put("AzureWebJobsStorage", AZURITE.connectionString()), null);
    private final FakeManagedIdentityEndpoint identity = IdentityStorage.endpoint(h.entra);

    @AfterEach
    void stop() {
        identity.close();
        h.close();
    }

    @Test
    void whenTablesAreReachedWithThePlatformIdentityThenAKeyedSendAndItsRetryWorkOnItsToken() {
        ConnectorHarness.Connected c = h.connect(NationalCloud.GLOBAL, "\"mail\"");
        ConnectorHarness.Instance instance = IdentityStorage.instance(h, AZURITE, identity, STORAGE_IDENTITY);

        FakeHttpResponse sent = instance.sendMail(c.connectionId(), "identity-storage-1", MAIL);
        FakeHttpResponse again = instance.sendMail(c.connectionId(), "identity-storage-1", MAIL);

        assertEquals(202, sent.getStatusCode(), sent.bodyText());
        assertEquals(202, again.getStatusCode(), again.bodyText());
        assertEquals(1, h.graph.sentMail(c.user().userPrincipalName()).size(), "sent once: the retry read the outcome with the identity's token");
        assertEquals(1, identity.requests().size(), "one token, kept: " + identity.requests());
        Map<String, String> request = identity.requests().get(0);
        assertEquals("https://storage.azure.com", request.get("resource"));
        assertEquals(STORAGE_IDENTITY, request.get("client_id"));
    }

    @Test
    void whenTheStorageIdentityIsNotAssignedThenTheSendIsRefusedAsStorageUnavailableAndNothingIsSent() {
        ConnectorHarness.Connected c = h.connect(NationalCloud.GLOBAL, "\"mail\"");
        ConnectorHarness.Instance instance = IdentityStorage.instance(h, AZURITE, identity, "00000000-9999-4999-8999-999999999999");

        FakeHttpResponse refused = instance.sendMail(c.connectionId(), "identity-storage-2", MAIL);

        assertEquals(503, refused.getStatusCode(), refused.bodyText());
        assertTrue(refused.bodyText().contains("storage_unavailable"), refused.bodyText());
        assertFalse(refused.bodyText().contains(identity.environment().get("IDENTITY_HEADER")), refused.bodyText());
        assertEquals(0, h.graph.sentMail(c.user().userPrincipalName()).size(), "nothing sent");
    }
}
