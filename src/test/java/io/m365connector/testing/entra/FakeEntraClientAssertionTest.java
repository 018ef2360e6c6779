package io.m365connector.testing.entra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.platform.Json;
import io.m365connector.platform.Settings.HttpSettings;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.testing.ClientCertificates;
import io.m365connector.testing.LocalCloudRouting;
import io.m365connector.testing.SecretsLedger;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import okhttp3.FormBody;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fake Entra ID checks client assertions the way the connector's tests rely on: for a
 * certificate the signature, the thumbprint naming a registered unexpired certificate, issuer and
 * subject (the client id), audience (the token endpoint) and time; for a federated credential the
 * signature (Entra-issued) and an exact issuer/subject/audience match, and time. Each refusal has its
 * AADSTS code. Plus client credentials at the home tenant only, and a disabled app.
 */
class FakeEntraClientAssertionTest {
    private static final String CLIENT_ID = "3c4d5e6f-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String HOST = "login.microsoftonline.us";
    private static final String ENDPOINT = "https://" + HOST + "/" + TENANT + "/oauth2/v2.0/token";
    private static final String ISSUER = "https://login.microsoftonline.us/" + TENANT + "/v2.0";
    private static final String PRINCIPAL = "9e9e9e9e-6666-4777-8888-999999999999";
    private static final String AUDIENCE = "api://AzureADTokenExchangeUSGov";

    private final FakeEntraId entra = new FakeEntraId();
    private final OutboundHttp http = new OutboundHttp(new HttpSettings(Duration.ofSeconds(5), Optional.empty()),
            entra.routeInto(new LocalCloudRouting()));
    private final ClientCertificates.ClientCertificate certificate = ClientCertificates.create("app", Instant.now().plus(Duration.ofDays(30)));

    FakeEntraClientAssertionTest() {
        entra.registerApp(CLIENT_ID, "https://func.example.net/api/auth/callback");
        entra.setHomeTenant(CLIENT_ID, TENANT);
        entra.registerCertificate(CLIENT_ID, certificate.certificate());
        entra.registerFederatedCredential(CLIENT_ID, ISSUER, PRINCIPAL, AUDIENCE);
    }

    @AfterEach
    void stop() {
        entra.close();
    }

    @Test
    void whenTheCertificateAssertionIsRightThenAnAppOnlyTokenIsIssued() throws Exception {
        JsonNode answer = token(certificateAssertion(Map.of()), TENANT, 200);
        assertEquals("Bearer", answer.get("token_type").asText());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "unregistered certificate, 700027",
        "bad signature,            700027",
        "expired,                  700024",
        "not yet valid,            700024",
        "audience,                 50013",
        "subject,                  50013"
    })
    void whenTheCertificateAssertionIsWrongThenEntrasCodeIsAnswered(String what, long code) throws Exception {
        Instant now = Instant.now();
        String assertion = switch (what) {
            case "unregistered certificate" -> assertionSignedBy(ClientCertificates.create("other", now.plus(Duration.ofDays(30))), Map.of());
            case "bad signature" -> certificateAssertion(Map.of()).replaceAll("\\.[^.]+$", "." + b64("forged".getBytes(StandardCharsets.UTF_8)));
            case "expired" -> certificateAssertion(Map.of("exp", now.minus(Duration.ofMinutes(10)).getEpochSecond()));
            case "not yet valid" -> certificateAssertion(Map.of("nbf", now.plus(Duration.ofMinutes(10)).getEpochSecond()));
            case "audience" -> certificateAssertion(Map.of("aud", "https://login.microsoftonline.com/" + TENANT + "/oauth2/v2.0/token"));
            default -> certificateAssertion(Map.of("sub", "someone-else"));
        };

        JsonNode error = token(assertion, TENANT, 401);

        assertEquals("invalid_client", error.get("error").asText());
        assertEquals(code, error.get("error_codes").get(0).asLong());
        assertTrue(error.get("error_description").asText().startsWith("AADSTS" + code), error.toString());
    }

    @Test
    void whenTheManagedIdentityTokenMatchesTheFederatedCredentialThenAnAppOnlyTokenIsIssued() throws Exception {
        Instant now = Instant.now();
        String assertion = entra.issueManagedIdentityToken(ISSUER, TENANT, PRINCIPAL, "1d1d1d1d-2222-4333-8444-555555555555", AUDIENCE,
                now, now.plus(Duration.ofHours(1)));

        assertEquals("Bearer", token(assertion, TENANT, 200).get("token_type").asText());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "issuer of another cloud, 400, 70021",
        "issuer with whitespace,  400, 70021",
        "subject in upper case,   400, 70021",
        "global audience,         400, 70021",
        "expired,                 401, 700024",
        "signed by someone else,  401, 700027"
    })
    void whenTheManagedIdentityTokenDoesNotMatchThenEntrasCodeIsAnswered(String what, int status, long code) throws Exception {
        Instant now = Instant.now();
        String mi = "1d1d1d1d-2222-4333-8444-555555555555";
        String assertion = switch (what) {
            case "issuer of another cloud" -> entra.issueManagedIdentityToken("https://login.microsoftonline.com/" + TENANT + "/v2.0", TENANT,
                    PRINCIPAL, mi, AUDIENCE, now, now.plus(Duration.ofHours(1)));
            case "issuer with whitespace" -> entra.issueManagedIdentityToken(ISSUER + " ", TENANT, PRINCIPAL, mi, AUDIENCE, now,
                    now.plus(Duration.ofHours(1)));
            case "subject in upper case" -> entra.issueManagedIdentityToken(ISSUER, TENANT, PRINCIPAL.toUpperCase(), mi, AUDIENCE, now,
                    now.plus(Duration.ofHours(1)));
            case "global audience" -> entra.issueManagedIdentityToken(ISSUER, TENANT, PRINCIPAL, mi, "api://AzureADTokenExchange", now,
                    now.plus(Duration.ofHours(1)));
            case "expired" -> entra.issueManagedIdentityToken(ISSUER, TENANT, PRINCIPAL, mi, AUDIENCE, now.minus(Duration.ofHours(2)),
                    now.minus(Duration.ofHours(1)));
            default -> {
                FakeEntraId other = FakeEntraId.withOwnSigningKey();
                try {
                    yield other.issueManagedIdentityToken(ISSUER, TENANT, PRINCIPAL, mi, AUDIENCE, now, now.plus(Duration.ofHours(1)));
                } finally {
                    other.close();
                }
            }
        };

        JsonNode error = token(assertion, TENANT, status);

        assertEquals(code, error.get("error_codes").get(0).asLong(), error.toString());
    }

    @Test
    void whenAppOnlyTokensAreAskedOutsideTheHomeTenantThenTheAppIsNotFound() throws Exception {
        JsonNode error = token(certificateAssertion(Map.of("aud", "https://" + HOST + "/contoso.onmicrosoft.us/oauth2/v2.0/token")),
                "contoso.onmicrosoft.us", 400);
        assertEquals(700016, error.get("error_codes").get(0).asLong());
    }

    @Test
    void whenTheAppIsDisabledThenEveryTokenRequestIsRefused() throws Exception {
        entra.setAppDisabled(CLIENT_ID, true);
        assertEquals(7000112, token(certificateAssertion(Map.of()), TENANT, 401).get("error_codes").get(0).asLong());
    }

    @Test
    void whenASecretIsExpiredThenItIsRefusedAsExpiredAndAWrongOneAsInvalid() throws Exception {
        String secret = SecretsLedger.remember("secret-" + UUID.randomUUID());
        entra.registerApp(CLIENT_ID, secret, "https://func.example.net/api/auth/callback");
        entra.setSecretExpired(CLIENT_ID, secret, true);

        assertEquals(7000222, post(form().add("client_secret", secret), 401).get("error_codes").get(0).asLong());
        assertEquals(7000215, post(form().add("client_secret", secret + "x"), 401).get("error_codes").get(0).asLong());
    }

    private JsonNode token(String assertion, String tenant, int expectedStatus) throws IOException {
        return post(tenant, form().add("client_assertion_type", ClientAuthentication.JWT_BEARER).add("client_assertion", assertion),
                expectedStatus);
    }

    private static FormBody.Builder form() {
        return new FormBody.Builder().add("client_id", CLIENT_ID).add("grant_type", "client_credentials")
                .add("scope", "https://graph.microsoft.us/.default");
    }

    private JsonNode post(FormBody.Builder form, int expectedStatus) throws IOException {
        return post(TENANT, form, expectedStatus);
    }

    private JsonNode post(String tenant, FormBody.Builder form, int expectedStatus) throws IOException {
        try (Response response = http.okHttp().newCall(new Request.Builder().url("https://" + HOST + "/" + tenant + "/oauth2/v2.0/token")
                .post(form.build()).build()).execute()) {
            String body = response.body().string();
            assertEquals(expectedStatus, response.code(), body);
            return Json.MAPPER.readTree(body);
        }
    }

    /** An assertion as MSAL4J builds it for a certificate, with some claims replaced. */
    private String certificateAssertion(Map<String, Object> overrides) throws Exception {
        return assertionSignedBy(certificate, overrides);
    }

    private static String assertionSignedBy(ClientCertificates.ClientCertificate cert, Map<String, Object> overrides) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(new ByteArrayInputStream(Base64.getDecoder().decode(cert.pfxBase64())), cert.password().toCharArray());
        PrivateKey key = (PrivateKey) store.getKey("client", cert.password().toCharArray());
        X509Certificate x509 = cert.certificate();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("typ", "JWT");
        header.put("x5t", Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1").digest(x509.getEncoded())));
        Instant now = Instant.now();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", ENDPOINT);
        claims.put("iss", CLIENT_ID);
        claims.put("sub", CLIENT_ID);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("nbf", now.getEpochSecond());
        claims.put("exp", now.plus(Duration.ofMinutes(10)).getEpochSecond());
        claims.putAll(overrides);
        String input = b64(JsonText.write(header).getBytes(StandardCharsets.UTF_8)) + "." + b64(JsonText.write(claims).getBytes(StandardCharsets.UTF_8));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + b64(rsa.sign());
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
