package io.m365connector.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
