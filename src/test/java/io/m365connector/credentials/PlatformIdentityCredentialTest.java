package io.m365connector.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.platform.Json;
import io.m365connector.platform.Settings.HttpSettings;
import io.m365connector.platform.Settings.PlatformIdentity;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.testing.ClockSleeper;
import io.m365connector.testing.FakeManagedIdentityEndpoint;
import io.m365connector.testing.LocalCloudRouting;
import io.m365connector.testing.MutableClock;
import io.m365connector.testing.Ports;
import io.m365connector.testing.entra.FakeEntraId;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hosting identity's tokens from the platform's identity endpoint without azure-identity or MSAL, against a fake
 * App Service identity endpoint (FakeManagedIdentityEndpoint: the documented request and answer) on the shared HTTP
 * stack: the request the platform expects, tokens kept until five minutes before they expire, retries of a failing
 * endpoint on the test clock, and errors that say what to do without the identity header or a token in them.
 */
class PlatformIdentityCredentialTest {
    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String CLIENT_ID = "5a5a5a5a-1111-4222-8333-444444444444";
    private static final String PRINCIPAL = "6b6b6b6b-5555-4666-8777-888888888888";
    private static final String SYSTEM_CLIENT_ID = "7c7c7c7c-1111-4222-8333-444444444444";
    private static final String SYSTEM_PRINCIPAL = "8d8d8d8d-5555-4666-8777-888888888888";
    private static final TokenRequestContext STORAGE = new TokenRequestContext().addScopes("https://storage.azure.com/.default");
    private static final TokenRequestContext VAULT = new TokenRequestContext().addScopes("https://vault.usgovcloudapi.net/.default");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
    private final ClockSleeper sleeper = new ClockSleeper(clock);
    /** Signs the endpoint's tokens (their times come from the endpoint's clock); one for the class: it starts a server. */
    private static final FakeEntraId ENTRA = new FakeEntraId();
    private final FakeManagedIdentityEndpoint endpoint = new FakeManagedIdentityEndpoint(ENTRA, HostingCloud.USGOV, TENANT, clock)
            .assign(CLIENT_ID, PRINCIPAL);
    private final OutboundHttp http = new OutboundHttp(new HttpSettings(Duration.ofSeconds(5), Optional.empty()), new LocalCloudRouting());

    @AfterEach
    void stop() {
        endpoint.close();
    }

    @AfterAll
    static void stopEntra() {
        ENTRA.close();
    }

    private PlatformIdentityCredential credential(Optional<String> clientId) {
        Map<String, String> env = endpoint.environment();
        return new PlatformIdentityCredential(new PlatformIdentity(URI.create(env.get("IDENTITY_ENDPOINT")), env.get("IDENTITY_HEADER")),
                clientId, http.azureHttpClient(), clock, sleeper);
    }

    @Test
    void whenStorageAsksForATokenThenTheAppServiceRequestIsMadeAndTheIdentitysTokenReturnedWithItsExpiry() throws Exception {
        AccessToken token = credential(Optional.of(CLIENT_ID)).getTokenSync(STORAGE);

        Map<String, String> request = endpoint.requests().get(0);
        assertEquals("https://storage.azure.com", request.get("resource"), "the scope's /.default is not sent");
        assertEquals(CLIENT_ID, request.get("client_id"));
        assertEquals("2019-08-01", request.get("api-version"));
        assertEquals(endpoint.environment().get("IDENTITY_HEADER"), request.get("X-IDENTITY-HEADER"));
        JsonNode claims = claims(token.getToken());
        assertEquals("https://storage.azure.com", claims.get("aud").asText());
        assertEquals(PRINCIPAL, claims.get("oid").asText());
        assertEquals("https://sts.windows.net/" + TENANT + "/", claims.get("iss").asText(), "an Azure resource's token is a v1.0 token");
        assertEquals(clock.instant().plus(Duration.ofHours(24)), token.getExpiresAt().toInstant(), "expires_on, seconds since the epoch");
    }

    @Test
    void whenNoClientIdIsSetThenTheSystemAssignedIdentityIsAskedFor() throws Exception {
        endpoint.assignSystem(SYSTEM_CLIENT_ID, SYSTEM_PRINCIPAL);

        AccessToken token = credential(Optional.empty()).getTokenSync(STORAGE);

        assertNull(endpoint.requests().get(0).get("client_id"), "no client_id: the platform answers for the system-assigned identity");
        assertEquals(SYSTEM_PRINCIPAL, claims(token.getToken()).get("oid").asText());
    }

    @Test
    void whenATokenIsAskedAgainThenItIsKeptUntilFiveMinutesBeforeItExpiresAndKeptPerResource() {
        endpoint.setTokenLifetime(Duration.ofHours(1));
        PlatformIdentityCredential credential = credential(Optional.of(CLIENT_ID));
        AccessToken first = credential.getTokenSync(STORAGE);

        clock.advance(Duration.ofMinutes(54));
        assertSame(first, credential.getTokenSync(STORAGE), "six minutes left: kept");
        assertEquals(1, endpoint.requests().size());
        AccessToken vault = credential.getTokenSync(VAULT);
        assertEquals("https://vault.usgovcloudapi.net", endpoint.requests().get(1).get("resource"), "another resource, another token");
        assertNotEquals(first.getToken(), vault.getToken());

        clock.advance(Duration.ofMinutes(2));
        AccessToken renewed = credential.getTokenSync(STORAGE);
        assertNotEquals(first.getToken(), renewed.getToken(), "four minutes left: asked again");
        assertEquals(3, endpoint.requests().size());
        assertSame(renewed, credential.getTokenSync(STORAGE));
        assertEquals(3, endpoint.requests().size());
    }

    @Test
    void whenTheTokenCarriesClaimsToSatisfyThenTheKeptTokenIsNotUsed() {
        PlatformIdentityCredential credential = credential(Optional.of(CLIENT_ID));
        credential.getTokenSync(STORAGE);

        credential.getTokenSync(new TokenRequestContext().addScopes("https://storage.azure.com/.default").setClaims("{\"access_token\":{}}"));

        assertEquals(2, endpoint.requests().size());
    }

    @Test
    void whenTheEndpointFailsTwiceThenTheThirdAttemptGetsTheTokenOneSecondApartOnTheClock() {
        endpoint.failNext(2);

        AccessToken token = credential(Optional.of(CLIENT_ID)).getTokenSync(STORAGE);

        assertEquals(3, endpoint.requests().size());
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(1)), sleeper.waits());
        assertEquals("https://storage.azure.com", claims(token.getToken()).get("aud").asText());
    }

    @Test
    void whenTheEndpointKeepsFailingThenTheErrorSaysItCanBeRetriedAfterThreeAttempts() {
        endpoint.setDown(true);

        ClientAuthenticationException e = assertThrows(ClientAuthenticationException.class,
                () -> credential(Optional.of(CLIENT_ID)).getTokenSync(STORAGE));

        assertEquals(3, endpoint.requests().size());
        assertEquals("The platform's managed identity endpoint answered 500: \"An unexpected error occurred while fetching the AAD Token.\""
                + " for a token of https://storage.azure.com for the user-assigned identity " + CLIENT_ID + " (AZURE_CLIENT_ID) after 3 attempts."
                + " The platform's identity service is failing; the request can be retried.", e.getMessage());
        assertNoSecrets(e.getMessage());
    }

    @Test
    void whenTheIdentityIsNotAssignedThenTheErrorNamesItAndSaysToAssignItWithoutRetrying() {
        ClientAuthenticationException e = assertThrows(ClientAuthenticationException.class,
                () -> credential(Optional.of("00000000-9999-4999-8999-999999999999")).getTokenSync(STORAGE));

        assertEquals(1, endpoint.requests().size(), "a 400 is an answer, not a failure to retry");
        assertTrue(e.getMessage().contains("answered 400: \"No User Assigned or Delegated Managed Identity found"), e.getMessage());
        assertTrue(e.getMessage().endsWith("Check that the user-assigned identity 00000000-9999-4999-8999-999999999999 (AZURE_CLIENT_ID) is "
                + "assigned to the function app (Identity blade, or the infra template's identity)."), e.getMessage());
        assertTrue(sleeper.waits().isEmpty());
    }

    @Test
    void whenTheIdentityHeaderIsWrongThenTheErrorSaysToRestartAndDoesNotShowTheHeader() {
        PlatformIdentity stale = new PlatformIdentity(URI.create(endpoint.environment().get("IDENTITY_ENDPOINT")), "stale-header-value");
        PlatformIdentityCredential credential = new PlatformIdentityCredential(stale, Optional.of(CLIENT_ID), http.azureHttpClient(), clock, sleeper);

        ClientAuthenticationException e = assertThrows(ClientAuthenticationException.class, () -> credential.getTokenSync(STORAGE));

        assertTrue(e.getMessage().contains("answered 401"), e.getMessage());
        assertTrue(e.getMessage().endsWith("restart the function app so that the worker gets the current one."), e.getMessage());
        assertFalse(e.getMessage().contains("stale-header-value"), e.getMessage());
    }

    @Test
    void whenNothingListensAtTheEndpointThenItIsTriedThreeTimesAndTheErrorSaysSo() throws Exception {
        int closedPort = Ports.free(); // nothing listens there
        PlatformIdentity nowhere = new PlatformIdentity(URI.create("http://127.0.0.1:" + closedPort + "/msi/token"),
                endpoint.environment().get("IDENTITY_HEADER"));
        PlatformIdentityCredential credential = new PlatformIdentityCredential(nowhere, Optional.empty(), http.azureHttpClient(), clock, sleeper);

        ClientAuthenticationException e = assertThrows(ClientAuthenticationException.class, () -> credential.getTokenSync(STORAGE));

        assertTrue(e.getMessage().startsWith("The platform's managed identity endpoint did not answer ("), e.getMessage());
        assertTrue(e.getMessage().contains("for the app's system-assigned identity (AZURE_CLIENT_ID not set) after 3 attempts."), e.getMessage());
        assertEquals(2, sleeper.waits().size());
        assertNoSecrets(e.getMessage());
    }

    @Test
    void whenAnAnswerHasNoUsableExpiryThenItIsRefused() {
        endpoint.answerWithoutExpiry(true);

        ClientAuthenticationException e = assertThrows(ClientAuthenticationException.class,
                () -> credential(Optional.of(CLIENT_ID)).getTokenSync(STORAGE));

        assertEquals("The platform's identity endpoint answered 200 for https://storage.azure.com without an access_token and an "
                + "expires_on in seconds since the epoch; it cannot be used.", e.getMessage());
    }

    @Test
    void whenExpiresOnIsReadThenSecondsAsAJsonStringOrNumberAreAcceptedAndAnythingElseIsNot() throws Exception {
        assertEquals(Optional.of(Instant.ofEpochSecond(1586984735)), PlatformIdentityCredential.epochSeconds(Json.MAPPER.readTree("\"1586984735\"")));
        assertEquals(Optional.of(Instant.ofEpochSecond(1586984735)), PlatformIdentityCredential.epochSeconds(Json.MAPPER.readTree("1586984735")));
        for (String bad : new String[] {"\"04/15/2020 21:05:35 +00:00\"", "\"-5\"", "\"1.5e9\"", "null", "\"\"", "{}"}) {
            assertEquals(Optional.empty(), PlatformIdentityCredential.epochSeconds(Json.MAPPER.readTree(bad)), bad);
        }
    }

    @Test
    void whenScopesAreNotExactlyOneResourceThenNoRequestIsMade() {
        PlatformIdentityCredential credential = credential(Optional.of(CLIENT_ID));

        assertThrows(IllegalArgumentException.class, () -> credential.getTokenSync(new TokenRequestContext()));
        assertThrows(IllegalArgumentException.class, () -> credential.getTokenSync(
                new TokenRequestContext().addScopes("https://storage.azure.com/.default", "https://vault.azure.net/.default")));
        assertEquals("https://storage.azure.com", PlatformIdentityCredential.resource(List.of("https://storage.azure.com")));
        assertTrue(endpoint.requests().isEmpty());
    }

    @Test
    void whenTheAsyncApiIsUsedThenItGivesTheSameKeptToken() {
        PlatformIdentityCredential credential = credential(Optional.of(CLIENT_ID));

        AccessToken viaMono = credential.getToken(STORAGE).block();

        assertSame(viaMono, credential.getTokenSync(STORAGE));
        assertEquals(1, endpoint.requests().size());
    }

    private void assertNoSecrets(String message) {
        assertFalse(message.contains(endpoint.environment().get("IDENTITY_HEADER")), message);
        assertFalse(message.contains("eyJ"), message);
    }

    private static JsonNode claims(String jwt) {
        try {
            return Json.MAPPER.readTree(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
