package io.m365connector.platform;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import io.m365connector.platform.Settings.HttpSettings;
import io.m365connector.platform.http.MsalHttpClient;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.testing.FakeServers;
import io.m365connector.testing.LocalCloudRouting;
import io.m365connector.testing.SecretsLedger;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one outbound stack, with the test route table sending real cloud host names to an HTTPS fake. */
class OutboundHttpTest {
    private final WireMockServer fake = FakeServers.https();
    private final LocalCloudRouting routing = new LocalCloudRouting()
            .route("graph.microsoft.us", fake.httpsPort())
            .route("login.microsoftonline.us", fake.httpsPort());
    private final OutboundHttp http = new OutboundHttp(new HttpSettings(Duration.ofSeconds(5), Optional.empty()), routing);

    @AfterEach
    void tearDown() {
        fake.stop();
    }

    @Test
    void whenCallingARealCloudHostThenTheFakeAnswersWithTheRealHostHeaderOverVerifiedTls() throws Exception {
        fake.stubFor(get(urlEqualTo("/v1.0/me")).willReturn(aResponse().withStatus(200).withBody("{\"id\":\"me\"}")));
        try (Response response = http.okHttp().newCall(new Request.Builder().url("https://graph.microsoft.us/v1.0/me").build()).execute()) {
            assertEquals(200, response.code());
            assertEquals("{\"id\":\"me\"}", response.body().string());
        }
        fake.verify(getRequestedFor(urlEqualTo("/v1.0/me"))
                .withHost(equalTo("graph.microsoft.us"))
                .withHeader("User-Agent", matching("m365-connector/\\S+.*")));
    }

    @Test
    void whenHostIsNotRoutedThenNothingLeavesTheMachine() {
        Request request = new Request.Builder().url("https://graph.microsoft.com/v1.0/me").build();
        assertThrows(UnknownHostException.class, () -> http.okHttp().newCall(request).execute());
    }

    @Test
    void whenServerRedirectsThenTheRedirectIsNotFollowed() throws Exception {
        fake.stubFor(get(urlEqualTo("/v1.0/redirect")).willReturn(aResponse().withStatus(302).withHeader("Location", "https://evil.example/")));
        try (Response response = http.okHttp().newCall(new Request.Builder().url("https://graph.microsoft.us/v1.0/redirect").build()).execute()) {
            assertEquals(302, response.code());
        }
    }

    @Test
    void whenMsalAcquiresATokenThenItGoesThroughTheSharedStackToTheCloudsAuthority() throws Exception {
        String accessToken = SecretsLedger.remember("eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.usgov-app-token.sig");
        fake.stubFor(post(urlPathEqualTo("/contoso-tenant/oauth2/v2.0/token")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,\"access_token\":\"" + accessToken + "\"}")));
        String secret = SecretsLedger.remember("usgov-client-secret-0987654321");
        ConfidentialClientApplication app = ConfidentialClientApplication
                .builder("aaaaaaaa-2222-3333-4444-555555555555", ClientCredentialFactory.createFromSecret(secret))
                .authority("https://login.microsoftonline.us/contoso-tenant/")
                .instanceDiscovery(false)
                .httpClient(MsalHttpClient.over(http))
                .build();

        IAuthenticationResult result = app.acquireToken(ClientCredentialParameters
                .builder(Set.of("https://graph.microsoft.us/.default")).build()).get();

        assertEquals(accessToken, result.accessToken());
        fake.verify(postRequestedFor(urlPathEqualTo("/contoso-tenant/oauth2/v2.0/token"))
                .withHost(equalTo("login.microsoftonline.us"))
                .withRequestBody(containing("client_id=aaaaaaaa-2222-3333-4444-555555555555"))
                .withRequestBody(containing("https%3A%2F%2Fgraph.microsoft.us%2F.default")));
    }

    @Test
    void whenTrafficIsLoggedThenAuthorizationAndQueryAreRedacted() throws Exception {
        fake.stubFor(get(urlPathEqualTo("/v1.0/me/messages")).willReturn(aResponse().withStatus(200)));
        Logger logger = Logger.getLogger("io.m365connector.http");
        List<String> lines = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level before = logger.getLevel();
        logger.setLevel(Level.FINEST);
        logger.addHandler(handler);
        String token = SecretsLedger.remember("bearer-token-that-must-not-be-logged");
        try (Response ignored = http.okHttp().newCall(new Request.Builder()
                .url("https://graph.microsoft.us/v1.0/me/messages?code=auth-code-value&$top=1")
                .header("Authorization", "Bearer " + token).build()).execute()) {
            String all = String.join("\n", lines);
            assertTrue(all.contains("GET https://graph.microsoft.us/v1.0/me/messages -> 200"), all);
            assertTrue(all.contains("Authorization: REDACTED"), all);
            assertFalse(all.contains(token));
            assertFalse(all.contains("auth-code-value"));
        } finally {
            logger.removeHandler(handler);
            logger.setLevel(before);
        }
    }

    @Test
    void whenProxyIsConfiguredThenEveryClientUsesIt() {
        OutboundHttp proxied = new OutboundHttp(new HttpSettings(Duration.ofSeconds(7),
                Optional.of(URI.create("http://proxy.internal:3128"))), routing);
        assertEquals("proxy.internal:3128", proxied.okHttp().proxy().address().toString().replace("/<unresolved>", ""));
        assertEquals(7000, proxied.okHttp().readTimeoutMillis());
        assertEquals(7000, proxied.okHttp().connectTimeoutMillis());
    }
}
