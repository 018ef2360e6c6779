package io.m365connector.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.microsoft.aad.msal4j.AuthorizationCodeParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.HttpResponse;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.MsalClientException;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.credentials.AppCredentialStatus;
import io.m365connector.credentials.AssertionUnavailableException;
import io.m365connector.credentials.ClientCredentials;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Settings;
import io.m365connector.platform.SettingsReader;
import io.m365connector.testing.TestSettings;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.ParameterizedTest;

/** Unit test of MsalClients with a recording HTTP client in place of the network. */
class MsalClientsTest {

    @Test
    void msalWorkRunsInTheCallingThread() {
        List<Thread> senders = new CopyOnWriteArrayList<>();
        List<String> urls = new CopyOnWriteArrayList<>();
        IHttpClient recording = request -> {
            senders.add(Thread.currentThread());
            urls.add(request.url().toString());
            HttpResponse response = new HttpResponse().statusCode(400)
                    .body("{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS70000: test\"}");
            response.addHeaders(Map.of("Content-Type", List.of("application/json")));
            return response;
        };
        MsalClients clients = new MsalClients(SettingsReader.read(TestSettings.base("UseDevelopmentStorage=true")), recording);
        ConfidentialClientApplication app = clients.newApp(NationalCloud.GLOBAL, "organizations", TokenCacheSlot.empty());

        ExecutionException e = assertThrows(ExecutionException.class, () -> app.acquireToken(AuthorizationCodeParameters
                .builder("code-value", URI.create("https://func-m365.example.net/api/auth/callback")).scopes(Set.of("Mail.Send")).build()).get());

        assertFalse(senders.isEmpty(), "MSAL called the HTTP client: " + e.getCause());
        assertEquals(Set.of(Thread.currentThread()), Set.copyOf(senders), "every MSAL request ran in the caller's thread");
        assertEquals("https://login.microsoftonline.com/organizations/oauth2/v2.0/token", urls.get(urls.size() - 1));
    }

    @Test
    void whenTheCheckFoundTheRegistrationGoneThenAppNotFoundAtRefreshIsTheAppsFaultNotTheUsers() {
        Settings settings = SettingsReader.read(TestSettings.base("UseDevelopmentStorage=true"));
        Instant now = Instant.parse("2027-01-01T00:00:00Z");
        AppCredentialStatus gone = new AppCredentialStatus(NationalCloud.GLOBAL, "client_secret", AppCredentialStatus.State.INVALID,
                ProblemCode.APP_REGISTRATION_NOT_FOUND, null, now, now, "app_registration_not_found");
        RefreshFailure notInTenant = new RefreshFailure(RefreshFailure.Kind.PERMANENT, ProblemCode.APP_NOT_IN_TENANT, Optional.empty(),
                "unauthorized_client: AADSTS700016");
        ClientCredentials credentials = new ClientCredentials((id, audience) -> "unused");

        RefreshFailure attributed = new MsalClients(settings, request -> null, credentials, cloud -> Optional.of(gone))
                .attribute(NationalCloud.GLOBAL, notInTenant, now);
        RefreshFailure unattributed = new MsalClients(settings, request -> null, credentials, cloud -> Optional.empty())
                .attribute(NationalCloud.GLOBAL, notInTenant, now);

        assertEquals(RefreshFailure.Kind.CONFIGURATION, attributed.kind());
        assertEquals(ProblemCode.APP_REGISTRATION_NOT_FOUND, attributed.code());
        assertEquals(notInTenant, unattributed, "without the check's finding it is the user's tenant that lacks the app");
    }

    /**
     * The app turned off or deleted in a customer tenant: AADSTS7000112 ("the service principal is disabled in the resource
     * tenant") or AADSTS7000229 ("missing service principal in the tenant", its administrator deleted the enterprise
     * application). With the home tenant's check after the refusal finding the app working, the connection is the user's
     * tenant's to fix (needs_reauth, app_not_in_tenant), not an operator's credential problem retried for ever.
     */
    @ParameterizedTest
    @CsvSource({"APP_DISABLED, AADSTS7000112", "APP_REGISTRATION_NOT_FOUND, AADSTS7000229"})
    void whenTheAppIsOffInTheUsersTenantButWorksAtHomeThenTheRefusalIsTheUsersTenants(ProblemCode code, String aadsts) {
        Settings settings = SettingsReader.read(TestSettings.base("UseDevelopmentStorage=true"));
        Instant now = Instant.parse("2027-01-01T00:00:00Z");
        RefreshFailure refused = new RefreshFailure(RefreshFailure.Kind.CONFIGURATION, code, Optional.empty(), "unauthorized_client: " + aadsts);
        ClientCredentials credentials = new ClientCredentials((id, audience) -> "unused");
        AppCredentialStatus worksAtHome = new AppCredentialStatus(NationalCloud.GLOBAL, "client_secret", AppCredentialStatus.State.OK,
                null, null, now, now, "ok");
        AppCredentialStatus offAtHome = new AppCredentialStatus(NationalCloud.GLOBAL, "client_secret", AppCredentialStatus.State.INVALID,
                code, null, now, now, code.code());
        AppCredentialStatus olderCheck = new AppCredentialStatus(NationalCloud.GLOBAL, "client_secret", AppCredentialStatus.State.OK,
                null, null, now.minusSeconds(600), now.minusSeconds(600), "ok");

        RefreshFailure customers = new MsalClients(settings, request -> null, credentials, cloud -> Optional.of(worksAtHome))
                .attribute(NationalCloud.GLOBAL, refused, now);

        assertEquals(RefreshFailure.Kind.PERMANENT, customers.kind());
        assertEquals(ProblemCode.APP_NOT_IN_TENANT, customers.code());
        assertEquals(refused, new MsalClients(settings, request -> null, credentials, cloud -> Optional.of(offAtHome))
                .attribute(NationalCloud.GLOBAL, refused, now), "off at home too: the operator's");
        assertEquals(refused, new MsalClients(settings, request -> null, credentials, cloud -> Optional.of(olderCheck))
                .attribute(NationalCloud.GLOBAL, refused, now), "a check from before the refusal tells nothing");
        assertEquals(refused, new MsalClients(settings, request -> null, credentials, cloud -> Optional.empty())
                .attribute(NationalCloud.GLOBAL, refused, now), "no check configured: left as the operator's, as before");
    }

    @Test
    void whenAManagedIdentityCannotIssueTheAssertionThenTheFailureIsTheAppCredentialsNotTransient() {
        RefreshFailure failure = RefreshFailure.classify(new ExecutionException(new MsalClientException(
                new AssertionUnavailableException("The managed identity x could not issue a token for api://AzureADTokenExchange.", null))));

        assertEquals(RefreshFailure.Kind.CONFIGURATION, failure.kind());
        assertEquals(ProblemCode.APP_MANAGED_IDENTITY_UNAVAILABLE, failure.code());
    }
}
