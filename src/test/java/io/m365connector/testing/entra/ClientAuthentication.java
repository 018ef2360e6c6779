package io.m365connector.testing.entra;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.platform.Json;
import io.m365connector.testing.SecretsLedger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the fake Entra ID authenticates a confidential client at the token endpoint, as Entra ID does:
 * a client secret (refused when wrong or expired), or a client assertion (RFC 7523 JWT) that is either
 * signed with a certificate registered on the app (x5t / x5t#S256, issuer = subject = client id,
 * audience = the token endpoint) or a token of a federated identity (a managed identity's token
 * signed by Entra ID itself, matched exactly on issuer, subject and audience against the app's
 * federated credentials). Each refusal carries the AADSTS code Entra ID answers with.
 */
final class ClientAuthentication {
    static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    /** Entra ID tolerates a few minutes of clock skew on assertion times. */
    private static final Duration SKEW = Duration.ofMinutes(5);

    /** A federated identity credential of an app registration. */
    record FederatedCredential(String issuer, String subject, String audience) {
    }

    /** What the app registration holds that can authenticate it. */
    record Credentials(String clientId, Set<String> secrets, Set<String> expiredSecrets, List<X509Certificate> certificates,
                       List<FederatedCredential> federated) {
    }

    /** A refusal: HTTP status, OAuth error, AADSTS code and description. */
    record Refusal(int status, String error, long code, String description) {
    }

    private ClientAuthentication() {
    }

    /** Null when the client proved itself; otherwise why not. */
    static Refusal check(Credentials app, Map<String, String> form, String basicSecret, String tokenEndpoint, Instant now,
                         PublicKey entraSigningKey) {
        String secret = form.get("client_secret") != null ? form.get("client_secret") : basicSecret;
        String assertion = form.get("client_assertion");
        if (secret != null) {
            if (!app.secrets().contains(secret)) {
                return new Refusal(401, "invalid_client", 7000215, "AADSTS7000215: Invalid client secret provided. Ensure the secret being "
                        + "sent in the request is the client secret value, not the client secret ID, for a secret added to app '"
                        + app.clientId() + "'.");
            }
            if (app.expiredSecrets().contains(secret)) {
                return new Refusal(401, "invalid_client", 7000222, "AADSTS7000222: The provided client secret keys for app '"
                        + app.clientId() + "' are expired. Visit the Azure portal to create new keys for your app.");
            }
            return null;
        }
        if (assertion == null) {
            return new Refusal(401, "invalid_client", 7000218, "AADSTS7000218: The request body must contain the following parameter: "
                    + "'client_assertion' or 'client_secret'.");
        }
        SecretsLedger.remember(assertion);
        if (!JWT_BEARER.equals(form.get("client_assertion_type"))) {
            return new Refusal(400, "invalid_request", 700025, "AADSTS700025: client_assertion_type must be " + JWT_BEARER + ".");
        }
        return assertion(app, assertion, tokenEndpoint, now, entraSigningKey);
    }

    private static Refusal assertion(Credentials app, String assertion, String tokenEndpoint, Instant now, PublicKey entraSigningKey) {
        String[] parts = assertion.split("\\.");
        JsonNode header;
        JsonNode claims;
        try {
            header = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[0]));
            claims = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (Exception | Error e) {
            return new Refusal(401, "invalid_client", 50027, "AADSTS50027: JWT token is invalid or malformed.");
        }
        String issuer = claims.path("iss").asText();
        String subject = claims.path("sub").asText();
        boolean selfIssued = issuer.equals(app.clientId());
        PublicKey key = selfIssued ? certificateKey(app, header, now) : entraSigningKey;
        if (key == null) {
            return new Refusal(401, "invalid_client", 700027, "AADSTS700027: Client assertion failed signature validation. "
                    + "Key was not found, or the certificate registered on app '" + app.clientId() + "' has expired.");
        }
        if (parts.length != 3 || !verifies(parts, key)) {
            return new Refusal(401, "invalid_client", 700027, "AADSTS700027: Client assertion failed signature validation.");
        }
        Instant expires = Instant.ofEpochSecond(claims.path("exp").asLong(0));
        Instant notBefore = Instant.ofEpochSecond(claims.path("nbf").asLong(0));
        if (!now.isBefore(expires.plus(SKEW)) || now.plus(SKEW).isBefore(notBefore)) {
            return new Refusal(401, "invalid_client", 700024, "AADSTS700024: Client assertion is not within its valid time range. "
                    + "Current time: " + now + ", expiry time of assertion " + expires + ".");
        }
        String audience = claims.path("aud").isArray() ? claims.path("aud").path(0).asText() : claims.path("aud").asText();
        if (selfIssued) {
            if (!subject.equals(app.clientId()) || !audience.equals(tokenEndpoint)) {
                return new Refusal(401, "invalid_client", 50013, "AADSTS50013: Assertion audience claim does not match the required value, "
                        + "or its subject is not the client id.");
            }
            return null;
        }
        for (FederatedCredential f : app.federated()) {
            if (f.issuer().equals(issuer) && f.subject().equals(subject) && f.audience().equals(audience)) {
                return null;
            }
        }
        return new Refusal(400, "invalid_request", 70021, "AADSTS70021: No matching federated identity record found for presented "
                + "assertion. Assertion Issuer: '" + issuer + "'. Assertion Subject: '" + subject + "'. Assertion Audience: '" + audience + "'.");
    }

    /** The registered, unexpired certificate the header's thumbprint names. */
    private static PublicKey certificateKey(Credentials app, JsonNode header, Instant now) {
        // RFC 7515 says base64url; MSAL4J sends the standard alphabet (with padding), which Entra ID accepts too.
        String sha256 = urlForm(header.path("x5t#S256").asText(null));
        String sha1 = urlForm(header.path("x5t").asText(null));
        for (X509Certificate certificate : app.certificates()) {
            boolean named = (sha256 != null && sha256.equals(thumbprint(certificate, "SHA-256")))
                    || (sha1 != null && sha1.equals(thumbprint(certificate, "SHA-1")));
            if (named && now.isBefore(certificate.getNotAfter().toInstant())) {
                return certificate.getPublicKey();
            }
        }
        return null;
    }

    private static String urlForm(String base64) {
        return base64 == null ? null : base64.replace('+', '-').replace('/', '_').replaceAll("=+$", "");
    }

    static String thumbprint(X509Certificate certificate, String algorithm) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance(algorithm).digest(certificate.getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean verifies(String[] parts, PublicKey key) {
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(key);
            rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return rsa.verify(Base64.getUrlDecoder().decode(parts[2]));
        } catch (Exception e) {
            return false;
        }
    }
}
