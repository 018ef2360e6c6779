package io.m365connector.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.app.ContextParts;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.functions.HealthFunction;
import io.m365connector.testing.ClientCertificates;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.ConnectorHarness.CredentialKind;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.FakeHttpRequest;
import io.m365connector.testing.FakeHttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each credential kind end to end in every cloud where it is allowed: a user connects (the code is
 * redeemed with the app credential), the tokens are refreshed, mail is sent, and the credential check
 * proves the credential at the home tenant. The fake Entra ID checks the credential as Entra ID does
 * (secrets; certificate-signed assertions; a managed identity's token against the federated
 * credential's issuer, subject and audience), and the managed identity's token comes from a fake App
 * Service identity endpoint through the production token source (azure-identity over MSAL4J).
 */
class AppCredentialKindsTest {
    private static final String MAIL = "{\"to\":[\"candidate@fabrikam.com\"],\"subject\":\"Hello\",\"body\":{\"contentType\":\"text\","
            + "\"content\":\"Hi\"}}";
    private ConnectorHarness harness;

    @AfterEach
    void tearDown() {
        if (harness != null) {
            harness.close();
        }
    }

    static Stream<Arguments> allowed() {
        return Stream.of(
                Arguments.of(CredentialKind.SECRET, NationalCloud.GLOBAL, HostingCloud.GLOBAL),
                Arguments.of(CredentialKind.SECRET, NationalCloud.USGOV, HostingCloud.GLOBAL),
                Arguments.of(CredentialKind.SECRET, NationalCloud.USGOVDOD, HostingCloud.USGOV),
                Arguments.of(CredentialKind.SECRET, NationalCloud.CHINA, HostingCloud.GLOBAL),
                Arguments.of(CredentialKind.CERTIFICATE, NationalCloud.GLOBAL, HostingCloud.USGOV),
                Arguments.of(CredentialKind.CERTIFICATE, NationalCloud.USGOV, HostingCloud.GLOBAL),
                Arguments.of(CredentialKind.CERTIFICATE, NationalCloud.USGOVDOD, HostingCloud.GLOBAL),
                Arguments.of(CredentialKind.CERTIFICATE, NationalCloud.CHINA, HostingCloud.CHINA),
                Arguments.of(CredentialKind.MANAGED_IDENTITY, NationalCloud.GLOBAL, HostingCloud.GLOBAL),
                Arguments.of(CredentialKind.MANAGED_IDENTITY, NationalCloud.USGOV, HostingCloud.USGOV),
                Arguments.of(CredentialKind.MANAGED_IDENTITY, NationalCloud.USGOVDOD, HostingCloud.USGOV),
                Arguments.of(CredentialKind.MANAGED_IDENTITY, NationalCloud.CHINA, HostingCloud.CHINA));
    }

    @ParameterizedTest(name = "{0} in {1}, hosted in {2}")
    @MethodSource("allowed")
    void whenACloudUsesACredentialKindThenSignInRefreshMailAndTheCredentialCheckWork(CredentialKind kind, NationalCloud cloud,
                                                                                      HostingCloud hosting) {
        harness = new ConnectorHarness(hosting, Map.of(cloud, kind), env -> { }, null);

        ConnectorHarness.Connected c = harness.connect(cloud, "\"mail\"");
        ContextParts.of(harness.context).broker().refreshNow(c.connectionId());
        FakeHttpResponse sent = harness.sendMail(c.connectionId(), UUID.randomUUID().toString(), MAIL);
        JsonNode health = health();

        assertEquals(ConnectionStatus.ACTIVE, ContextParts.of(harness.context).connections().find(c.connectionId()).orElseThrow().status());
        assertEquals(202, sent.getStatusCode(), sent.bodyText());
        JsonNode report = credentialOf(health, cloud);
        assertEquals(kindId(kind), report.get("kind").asText());
        assertEquals("ok", report.get("state").asText(), report.toString());
        assertEquals("ok", report.get("lastCheck").asText());
        assertEquals("ok", health.get("status").asText());
        List<Map<String, String>> requests = tokenRequestsOf(cloud);
        assertEquals(List.of("authorization_code", "refresh_token", "client_credentials"),
                requests.stream().map(r -> r.get("grant_type")).toList(), "sign-in, refresh and the check each authenticated the app");
        for (Map<String, String> request : requests) {
            assertAuthenticatedAs(kind, cloud, request);
        }
        if (kind == CredentialKind.CERTIFICATE) {
            assertEquals(harness.certificates.get(cloud).certificate().getNotAfter().toInstant().toString(), report.get("expiresAt").asText());
        }
        if (kind == CredentialKind.MANAGED_IDENTITY) {
            Map<String, String> identityRequest = harness.identity.requests().get(0);
            assertEquals(cloud.tokenExchangeAudience(), identityRequest.get("resource"));
            assertEquals(ConnectorHarness.IDENTITY_CLIENT_ID, identityRequest.get("client_id"));
            assertEquals("2019-08-01", identityRequest.get("api-version"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clouds")
    void whenTheFederatedCredentialIsRemovedThenTheCheckSaysNoMatchingFederatedCredential(NationalCloud cloud) {
        harness = new ConnectorHarness(cloud.azureCloud(), Map.of(cloud, CredentialKind.MANAGED_IDENTITY), env -> { }, null);
        harness.entra.removeFederatedCredentials(harness.clientIds.get(cloud));

        JsonNode report = credentialOf(health(), cloud);

        assertEquals("invalid", report.get("state").asText());
        assertEquals("app_federated_credential_not_found", report.get("code").asText());
        assertTrue(report.get("guidance").asText().contains(cloud.tokenExchangeAudience()), report.toString());
        assertTrue(report.get("guidance").asText().contains("https://" + cloud.authorityHost() + "/<tenant id>/v2.0"));
    }

    static Stream<NationalCloud> clouds() {
        return Stream.of(NationalCloud.values());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clouds")
    void whenTheIdentityIsNoLongerAssignedThenTheCredentialIsReportedUnavailableAndActionsAnswer503NamingTheAppCredential(NationalCloud cloud) {
        harness = new ConnectorHarness(cloud.azureCloud(), Map.of(cloud, CredentialKind.MANAGED_IDENTITY), env -> { }, null);
        // MSAL renews tokens that expire within 5 minutes: every action refreshes, and every assertion is fetched anew.
        harness.entra.setAccessTokenLifetime(Duration.ofMinutes(4));
        harness.identity.setTokenLifetime(Duration.ofMinutes(4));
        ConnectorHarness.Connected c = harness.connect(cloud, "\"mail\"");
        harness.identity.unassign(ConnectorHarness.IDENTITY_CLIENT_ID);

        JsonNode report = credentialOf(health(), cloud);
        FakeHttpResponse action = harness.sendMail(c.connectionId(), UUID.randomUUID().toString(), MAIL);

        assertEquals("invalid", report.get("state").asText());
        assertEquals("app_managed_identity_unavailable", report.get("code").asText());
        assertEquals(503, action.getStatusCode(), action.bodyText());
        JsonNode problem = ConnectorHarness.json(action.bodyText());
        assertEquals("app_credential_invalid", problem.get("code").asText());
        assertEquals("app_managed_identity_unavailable", problem.get("appCredentialCode").asText());
        assertTrue(problem.get("detail").asText().contains("not a problem with the user's connection"), problem.toString());
        assertEquals(ConnectionStatus.ACTIVE, ContextParts.of(harness.context).connections().find(c.connectionId()).orElseThrow().status());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clouds")
    void whenTheCertificateIsNotTheRegisteredOneThenTheCheckSaysTheAssertionIsInvalid(NationalCloud cloud) {
        String prefix = "M365_" + cloud.id().toUpperCase(Locale.ROOT);
        ClientCertificates.ClientCertificate other = ClientCertificates.create("not-uploaded", Instant.now().plus(Duration.ofDays(90)));
        harness = new ConnectorHarness(HostingCloud.GLOBAL, Map.of(cloud, CredentialKind.CERTIFICATE), env -> {
            env.put(prefix + "_CLIENT_CERTIFICATE", other.pfxBase64());
            env.put(prefix + "_CLIENT_CERTIFICATE_PASSWORD", other.password());
        }, null);

        JsonNode report = credentialOf(health(), cloud);

        assertEquals("invalid", report.get("state").asText());
        assertEquals("app_assertion_invalid", report.get("code").asText());
        assertTrue(report.get("guidance").asText().contains("Upload the certificate of " + prefix + "_CLIENT_CERTIFICATE"), report.toString());
        assertEquals(other.certificate().getNotAfter().toInstant().toString(), report.get("expiresAt").asText());
    }

    private void assertAuthenticatedAs(CredentialKind kind, NationalCloud cloud, Map<String, String> request) {
        switch (kind) {
            case SECRET -> {
                assertNotNull(request.get("client_secret"));
                assertNull(request.get("client_assertion"));
            }
            case CERTIFICATE, MANAGED_IDENTITY -> {
                assertNull(request.get("client_secret"), "no secret anywhere");
                assertEquals("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", request.get("client_assertion_type"));
                JsonNode claims = claims(request.get("client_assertion"));
                if (kind == CredentialKind.CERTIFICATE) {
                    assertEquals(harness.clientIds.get(cloud), claims.get("iss").asText());
                } else {
                    assertEquals(cloud.tokenExchangeAudience(), claims.get("aud").asText());
                    assertEquals(ConnectorHarness.IDENTITY_PRINCIPAL_ID, claims.get("sub").asText());
                    assertEquals(harness.identity.issuer(), claims.get("iss").asText());
                }
            }
        }
    }

    private List<Map<String, String>> tokenRequestsOf(NationalCloud cloud) {
        return harness.entra.tokenRequests().stream().filter(r -> harness.clientIds.get(cloud).equals(r.get("client_id"))).toList();
    }

    private JsonNode health() {
        FakeHttpResponse response = (FakeHttpResponse) harness.context.newFunction(HealthFunction.class)
                .run(FakeHttpRequest.get("https://" + ConnectorHarness.FUNCTION_HOST + "/api/health"), new FakeExecutionContext("health"));
        return ConnectorHarness.json(response.bodyText());
    }

    private static JsonNode credentialOf(JsonNode health, NationalCloud cloud) {
        for (JsonNode c : health.get("appCredentials")) {
            if (c.get("cloud").asText().equals(cloud.id())) {
                return c;
            }
        }
        throw new AssertionError("no app credential for " + cloud.id() + " in " + health);
    }

    private static String kindId(CredentialKind kind) {
        return Map.of(CredentialKind.SECRET, "client_secret", CredentialKind.CERTIFICATE, "certificate",
                CredentialKind.MANAGED_IDENTITY, "managed_identity").get(kind);
    }

    private static JsonNode claims(String jwt) {
        return ConnectorHarness.json(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }
}
