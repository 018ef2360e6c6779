package io.m365connector.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.aad.msal4j.ManagedIdentityTestEnvironment;
import com.microsoft.aad.msal4j.MsalClientException;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.platform.Json;
import io.m365connector.platform.Settings.HttpSettings;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.testing.FakeManagedIdentityEndpoint;
import io.m365connector.testing.LocalCloudRouting;
import io.m365connector.testing.entra.FakeEntraId;
import io.m365connector.tokens.RefreshFailure;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The production managed identity token source (azure-identity's ManagedIdentityCredential on the
 * shared HTTP stack) against a fake App Service identity endpoint, reached through MSAL4J's own
 * environment hook: the request the platform expects, the assertion it returns, and a clear error
 * when the identity is not assigned.
 */
class AzureManagedIdentityTokensTest {
    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String CLIENT_ID = "5a5a5a5a-1111-4222-8333-444444444444";
    private static final String PRINCIPAL = "6b6b6b6b-5555-4666-8777-888888888888";

    private final FakeEntraId entra = new FakeEntraId();
    private final FakeManagedIdentityEndpoint endpoint = new FakeManagedIdentityEndpoint(entra, HostingCloud.CHINA, TENANT,
            Clock.systemUTC()).assign(CLIENT_ID, PRINCIPAL);
    private final OutboundHttp http = new OutboundHttp(new HttpSettings(Duration.ofSeconds(5), Optional.empty()), new LocalCloudRouting());

    AzureManagedIdentityTokensTest() {
        ManagedIdentityTestEnvironment.use(endpoint.environment());
    }

    @AfterEach
    void stop() {
        ManagedIdentityTestEnvironment.reset();
        endpoint.close();
        entra.close();
    }

    @Test
    void whenATokenForTheExchangeAudienceIsAskedThenTheAppServiceProtocolIsUsedAndTheIdentitysTokenReturned() throws Exception {
        String token = new AzureManagedIdentityTokens(http.azureHttpClient()).token(CLIENT_ID, "api://AzureADTokenExchangeChina");

        Map<String, String> request = endpoint.requests().get(0);
        assertEquals("api://AzureADTokenExchangeChina", request.get("resource"), "the scope's /.default is not sent");
        assertEquals(CLIENT_ID, request.get("client_id"));
        assertEquals("2019-08-01", request.get("api-version"));
        assertEquals(endpoint.environment().get("IDENTITY_HEADER"), request.get("X-IDENTITY-HEADER"));
        JsonNode claims = Json.MAPPER.readTree(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
        assertEquals("https://login.partner.microsoftonline.cn/" + TENANT + "/v2.0", claims.get("iss").asText());
        assertEquals(PRINCIPAL, claims.get("sub").asText());
        assertEquals("api://AzureADTokenExchangeChina", claims.get("aud").asText());
    }

    @Test
    void whenTheIdentityIsNotAssignedThenAssertionUnavailableNamesItWithoutAToken() {
        AssertionUnavailableException e = assertThrows(AssertionUnavailableException.class,
                () -> new AzureManagedIdentityTokens(http.azureHttpClient()).token("00000000-9999-4999-8999-999999999999", "api://AzureADTokenExchange"));

        assertTrue(e.getMessage().startsWith("The managed identity 00000000-9999-4999-8999-999999999999 could not issue a token for "
                + "api://AzureADTokenExchange"), e.getMessage());
        assertFalse(e.getMessage().contains("eyJ"));
    }

    /**
     * The identity endpoint unreachable (the platform's identity service restarting, a network fault) is an outage that
     * passes, not a credential the operator must fix: it must not mark the cloud's credential invalid, tell the web app
     * app_credential_invalid and stop every refresh until the next check.
     */
    @Test
    void whenTheIdentityEndpointCannotBeReachedThenTheFailureIsAnOutageNotAMissingIdentity() {
        endpoint.close();

        RuntimeException e = assertThrows(RuntimeException.class,
                () -> new AzureManagedIdentityTokens(http.azureHttpClient()).token(CLIENT_ID, "api://AzureADTokenExchange"));

        assertFalse(e instanceof AssertionUnavailableException, e.toString());
        assertEquals(RefreshFailure.Kind.TRANSIENT, RefreshFailure.classify(new ExecutionException(new MsalClientException(e))).kind());
    }
}
