package io.m365connector.connect;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Json;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Secrets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * The claims of the ID token that came back with the tokens, and the checks that bind it to this
 * app, this cloud, this sign-in attempt and this moment. The token comes straight from the token
 * endpoint over verified TLS in a confidential-client code exchange, which OpenID Connect accepts in
 * place of a signature check (Core 1.0, 3.1.3.7 step 6); the claims are still checked.
 */
public record IdTokenClaims(String tenantId, String objectId, String preferredUsername, String audience,
                            String issuer, String nonce, Instant expiresAt, String identityProvider) {

    public static IdTokenClaims parse(String jwt) {
        if (jwt == null) {
            throw invalid("Microsoft returned no ID token: the openid scope is missing from the request.");
        }
        String[] parts = jwt.split("\\.");
        if (parts.length < 2) {
            throw invalid("The ID token is not a JWT.");
        }
        try {
            JsonNode claims = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
            return new IdTokenClaims(text(claims, "tid"), text(claims, "oid"), text(claims, "preferred_username"),
                    text(claims, "aud"), text(claims, "iss"), text(claims, "nonce"),
                    claims.has("exp") ? Instant.ofEpochSecond(claims.get("exp").asLong()) : null, text(claims, "idp"));
        } catch (Exception e) {
            throw invalid("The ID token's claims cannot be read.");
        }
    }

    /**
     * @param requiredTenantId a tenant id the user must belong to, when the sign-in named one
     */
    public void verify(String clientId, NationalCloud cloud, String expectedNonce, Optional<String> requiredTenantId,
                       Instant now, Duration clockSkew) {
        if (tenantId == null || objectId == null) {
            throw invalid("The ID token has no tenant (tid) or user (oid).");
        }
        if (!clientId.equalsIgnoreCase(audience)) {
            throw invalid("The ID token was issued to another application (aud).");
        }
        if (!cloud.acceptedIdTokenIssuers(tenantId).contains(issuer)) {
            throw invalid("The ID token was issued by " + issuer + ", not by the " + cloud.id() + " cloud for tenant " + tenantId + ".");
        }
        if (!Secrets.same(expectedNonce, nonce)) {
            throw invalid("The ID token's nonce does not match this sign-in attempt.");
        }
        if (expiresAt == null || now.isAfter(expiresAt.plus(clockSkew))) {
            throw invalid("The ID token has expired.");
        }
        if (requiredTenantId.isPresent() && !requiredTenantId.get().equalsIgnoreCase(tenantId)) {
            throw new ConnectorException(ProblemCode.ACCOUNT_NOT_IN_TENANT,
                    "The account belongs to tenant " + tenantId + ", but this sign-in was for tenant " + requiredTenantId.get() + ".");
        }
        if (isGuest()) {
            throw new ConnectorException(ProblemCode.ACCOUNT_NOT_IN_TENANT, "You signed in as a guest of that organization. A guest has "
                    + "no mailbox or calendar there: connect again with your own organization's account.");
        }
    }

    /**
     * A guest of the tenant: its identity provider is another one than the tenant ({@code idp}, "identical to the value of
     * the Issuer claim unless the user account isn't in the same tenant as the issuer, such as guests": Learn, ID token
     * claims reference): another tenant's {@code https://sts.windows.net/<tid>/}, or {@code live.com}, {@code mail}
     * (a Microsoft account, a one-time passcode). Absent, or naming the tenant itself, for a member.
     */
    public boolean isGuest() {
        return identityProvider != null && tenantId != null && !identityProvider.toLowerCase(Locale.ROOT).contains(tenantId.toLowerCase(Locale.ROOT));
    }

    private static String text(JsonNode claims, String name) {
        JsonNode node = claims.get(name);
        return node == null || node.isNull() ? null : node.asText();
    }

    private static ConnectorException invalid(String detail) {
        return new ConnectorException(ProblemCode.ID_TOKEN_INVALID, detail);
    }

    @Override
    public String toString() {
        return "IdTokenClaims[tid=" + tenantId + ", oid=" + objectId + ", iss=" + issuer + "]";
    }
}
