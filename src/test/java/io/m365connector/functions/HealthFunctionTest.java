package io.m365connector.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.app.AppContext;
import io.m365connector.app.Wiring;
import io.m365connector.app.Tables;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.Json;
import io.m365connector.platform.SettingsReader;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.FakeHttpRequest;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.FakeKeyVault;
import io.m365connector.testing.LocalCloudRouting;
import io.m365connector.testing.TestSettings;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthFunctionTest {
    @Test
    void whenEverythingIsReachableThenHealthIsOk() throws Exception {
        Map<String, String> env = TestSettings.base(Azurite.shared().connectionString());
        AppContext context = new AppContext(Wiring.production().settings(() -> SettingsReader.read(env)).routing(new LocalCloudRouting()).clock(Clock.systemUTC()).tables(Tables.prefixed("health")));

        FakeHttpResponse response = call(context);

        assertEquals(200, response.getStatusCode());
        JsonNode body = Json.MAPPER.readTree(response.bodyText());
        assertEquals("ok", body.get("status").asText());
        assertEquals("ok", body.get("checks").get("storage").asText());
        assertEquals("ok", body.get("checks").get("tokenKey").asText());
    }

    @Test
    void whenSettingsAreInvalidThenHealthIs503WithCodesButNoSettingDetails() throws Exception {
        Map<String, String> env = TestSettings.base(Azurite.shared().connectionString());
        env.remove("M365_CLOUDS");
        AppContext context = new AppContext(Wiring.production().settings(() -> SettingsReader.read(env)).routing(new LocalCloudRouting()).clock(Clock.systemUTC()).tables(Tables.prefixed("health")));

        FakeHttpResponse response = call(context);

        assertEquals(503, response.getStatusCode());
        JsonNode body = Json.MAPPER.readTree(response.bodyText());
        assertEquals("configuration_error", body.get("checks").get("settings").asText());
        assertFalse(response.bodyText().contains("M365_CLOUDS"));
    }

    @Test
    void whenKeyVaultIsDownThenTokenKeyCheckSaysKeyUnavailable() throws Exception {
        FakeKeyVault vault = new FakeKeyVault();
        LocalCloudRouting routing = vault.routeInto(new LocalCloudRouting());
        vault.stop();
        Map<String, String> env = TestSettings.base(Azurite.shared().connectionString());
        env.remove("LOCAL_TOKEN_KEY");
        env.put("TOKEN_KEY_VAULT_URL", FakeKeyVault.VAULT_URL);
        AppContext context = new AppContext(Wiring.production().settings(() -> SettingsReader.read(env)).routing(routing).clock(Clock.systemUTC()).hostingCredential(vault.credential()).tables(Tables.prefixed("health")));

        FakeHttpResponse response = call(context);

        assertEquals(503, response.getStatusCode());
        JsonNode body = Json.MAPPER.readTree(response.bodyText());
        assertEquals("ok", body.get("checks").get("storage").asText());
        assertEquals("key_unavailable", body.get("checks").get("tokenKey").asText());
    }

    @Test
    void whenACloudsAppSecretHasExpiredThenHealthIsDegradedWithWhatToDoButStill200() throws Exception {
        try (ConnectorHarness harness = new ConnectorHarness(HostingCloud.GLOBAL,
                Map.of(NationalCloud.USGOV, ConnectorHarness.CredentialKind.SECRET), env -> { }, null)) {
            String secret = harness.env.get("M365_USGOV_CLIENT_SECRET");
            harness.entra.setSecretExpired(harness.clientIds.get(NationalCloud.USGOV), secret, true);

            FakeHttpResponse response = call(harness.context);

            assertEquals(200, response.getStatusCode(), "the other clouds still work: not taken out of rotation");
            JsonNode body = Json.MAPPER.readTree(response.bodyText());
            assertEquals("degraded", body.get("status").asText());
            assertEquals(4, body.get("appCredentials").size(), "one entry per enabled cloud");
            JsonNode usgov = body.get("appCredentials").get(1);
            assertEquals("usgov", usgov.get("cloud").asText());
            assertEquals("client_secret", usgov.get("kind").asText());
            assertEquals("invalid", usgov.get("state").asText());
            assertEquals("app_secret_expired", usgov.get("code").asText());
            assertEquals(harness.clock.instant().toString(), usgov.get("lastCheckedAt").asText());
            assertEquals(harness.clock.instant().toString(), usgov.get("since").asText());
            assertTrue(usgov.get("guidance").asText().startsWith("The client secret has expired."), usgov.toString());
            JsonNode global = body.get("appCredentials").get(0);
            assertEquals("unknown", global.get("state").asText(), "no home tenant, no expiry: not checked");
            assertTrue(global.get("guidance").asText().startsWith("Not checked: set M365_GLOBAL_HOME_TENANT"), global.toString());
            assertFalse(response.bodyText().contains(secret));
        }
    }

    private static FakeHttpResponse call(AppContext context) {
        HealthFunction function = context.newFunction(HealthFunction.class);
        return (FakeHttpResponse) function.run(FakeHttpRequest.get("https://func.example.net/api/health"),
                new FakeExecutionContext("health"));
    }
}
