package io.m365connector.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IdTokenClaimsTest {
    private static final String CLIENT = "11111111-2222-3333-4444-555555555555";
    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    @Test
    void whenClaimsMatchThenTheUserIsIdentifiedByTenantAndObjectId() {
        IdTokenClaims claims = IdTokenClaims.parse(jwt("https://login.microsoftonline.us/" + TENANT + "/v2.0", CLIENT, "n1", NOW.plusSeconds(3600)));
        claims.verify(CLIENT, NationalCloud.USGOV, "n1", Optional.empty(), NOW, Duration.ofMinutes(5));
        assertEquals(TENANT, claims.tenantId());
        assertEquals("oid-1", claims.objectId());
    }

    @Test
    void whenIssuerIsAnotherCloudThenRefused() {
        IdTokenClaims claims = IdTokenClaims.parse(jwt("https://login.microsoftonline.com/" + TENANT + "/v2.0", CLIENT, "n1", NOW.plusSeconds(60)));
        assertCode(ProblemCode.ID_TOKEN_INVALID, () -> claims.verify(CLIENT, NationalCloud.USGOV, "n1", Optional.empty(), NOW, Duration.ZERO));
    }

    @Test
    void whenIssuerNamesAnotherTenantThanTidThenRefused() {
        IdTokenClaims claims = IdTokenClaims.parse(jwt("https://login.microsoftonline.us/00000000-0000-0000-0000-000000000000/v2.0", CLIENT, "n1", NOW.plusSeconds(60)));
        assertCode(ProblemCode.ID_TOKEN_INVALID, () -> claims.verify(CLIENT, NationalCloud.USGOV, "n1", Optional.empty(), NOW, Duration.ZERO));
    }

    @Test
    void whenAudienceNonceOrExpiryIsWrongThenRefused() {
        String iss = "https://login.partner.microsoftonline.cn/" + TENANT + "/v2.0";
        assertCode(ProblemCode.ID_TOKEN_INVALID, () -> IdTokenClaims.parse(jwt(iss, "other-app", "n1", NOW.plusSeconds(60)))
                .verify(CLIENT, NationalCloud.CHINA, "n1", Optional.empty(), NOW, Duration.ZERO));
        assertCode(ProblemCode.ID_TOKEN_INVALID, () -> IdTokenClaims.parse(jwt(iss, CLIENT, "n2", NOW.plusSeconds(60)))
                .verify(CLIENT, NationalCloud.CHINA, "n1", Optional.empty(), NOW, Duration.ZERO));
        assertCode(ProblemCode.ID_TOKEN_INVALID, () -> IdTokenClaims.parse(jwt(iss, CLIENT, "n1", NOW.minusSeconds(301)))
                .verify(CLIENT, NationalCloud.CHINA, "n1", Optional.empty(), NOW, Duration.ofMinutes(5)));
        IdTokenClaims.parse(jwt(iss, CLIENT, "n1", NOW.minusSeconds(299)))
                .verify(CLIENT, NationalCloud.CHINA, "n1", Optional.empty(), NOW, Duration.ofMinutes(5));
    }

    @Test
    void whenSignInNamedATenantThenAnotherTenantsUserIsRefused() {
        IdTokenClaims claims = IdTokenClaims.parse(jwt("https://login.microsoftonline.com/" + TENANT + "/v2.0", CLIENT, "n1", NOW.plusSeconds(60)));
        assertCode(ProblemCode.ACCOUNT_NOT_IN_TENANT, () -> claims.verify(CLIENT, NationalCloud.GLOBAL, "n1",
                Optional.of("00000000-0000-0000-0000-000000000000"), NOW, Duration.ZERO));
    }

    @Test
    void whenTokenIsMissingOrGarbledThenRefused() {
        assertCode(ProblemCode.ID_TOKEN_INVALID, () -> IdTokenClaims.parse(null));
        assertCode(ProblemCode.ID_TOKEN_INVALID, () -> IdTokenClaims.parse("abc"));
        assertCode(ProblemCode.ID_TOKEN_INVALID, () -> IdTokenClaims.parse("a.!!!.c"));
    }

    /** idp names another identity provider than the tenant for a guest only (Learn, ID token claims reference). */
    @Test
    void whenTheIdentityProviderIsAnotherTenantOrAMicrosoftAccountThenItIsAGuestAndRefused() {
        String iss = "https://login.microsoftonline.com/" + TENANT + "/v2.0";
        assertFalse(IdTokenClaims.parse(withIdp(jwt(iss, CLIENT, "n1", NOW.plusSeconds(60)), null)).isGuest(), "no idp: a member");
        assertFalse(IdTokenClaims.parse(withIdp(jwt(iss, CLIENT, "n1", NOW.plusSeconds(60)), "https://sts.windows.net/" + TENANT.toUpperCase()
                + "/")).isGuest(), "its own tenant");
        assertTrue(IdTokenClaims.parse(withIdp(jwt(iss, CLIENT, "n1", NOW.plusSeconds(60)), "live.com")).isGuest());
        IdTokenClaims guest = IdTokenClaims.parse(withIdp(jwt(iss, CLIENT, "n1", NOW.plusSeconds(60)),
                "https://sts.windows.net/f8cdef31-a31e-4b4a-93e4-5f571e91255a/"));
        assertTrue(guest.isGuest());
        assertCode(ProblemCode.ACCOUNT_NOT_IN_TENANT, () -> guest.verify(CLIENT, NationalCloud.GLOBAL, "n1", Optional.empty(), NOW,
                Duration.ofMinutes(5)));
    }

    /** The token with an idp claim added (null: as it is). */
    private static String withIdp(String jwt, String idp) {
        if (idp == null) {
            return jwt;
        }
        String[] parts = jwt.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        payload = payload.substring(0, payload.length() - 1) + ",\"idp\":\"" + idp + "\"}";
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    private static void assertCode(ProblemCode code, Runnable action) {
        ConnectorException e = assertThrows(ConnectorException.class, action::run);
        assertEquals(code, e.code());
    }

    private static String jwt(String iss, String aud, String nonce, Instant exp) {
        String payload = "{\"iss\":\"" + iss + "\",\"aud\":\"" + aud + "\",\"tid\":\"" + TENANT + "\",\"oid\":\"oid-1\","
                + "\"preferred_username\":\"adele@contoso.com\",\"nonce\":\"" + nonce + "\",\"exp\":" + exp.getEpochSecond() + "}";
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + ".sig";
    }
}
