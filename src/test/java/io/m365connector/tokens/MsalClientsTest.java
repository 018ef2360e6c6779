package io.m365connector.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.microsoft.aad.msal4j.AuthorizationCodeParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.HttpResponse;
import com.microsoft.aad.msal4j.IHttpClient;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.Settings;
import io.m365connector.testing.TestSettings;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

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
        MsalClients clients = new MsalClients(Settings.from(TestSettings.base("UseDevelopmentStorage=true")), recording);
        ConfidentialClientApplication app = clients.newApp(NationalCloud.GLOBAL, "organizations", TokenCacheSlot.empty());

        ExecutionException e = assertThrows(ExecutionException.class, () -> app.acquireToken(AuthorizationCodeParameters
                .builder("code-value", URI.create("https://func-m365.example.net/api/auth/callback")).scopes(Set.of("Mail.Send")).build()).get());

        assertFalse(senders.isEmpty(), "MSAL called the HTTP client: " + e.getCause());
        assertEquals(Set.of(Thread.currentThread()), Set.copyOf(senders), "every MSAL request ran in the caller's thread");
        assertEquals("https://login.microsoftonline.com/organizations/oauth2/v2.0/token", urls.get(urls.size() - 1));
    }
}
