package io.m365connector.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.app.AppContext;
import io.m365connector.app.Tables;
import io.m365connector.platform.Json;
import io.m365connector.platform.Settings;
import io.m365connector.testing.Azurite;
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
        AppContext context = new AppContext(() -> Settings.from(env), new LocalCloudRouting(), Clock.systemUTC(), null, Tables.prefixed("health"));

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
        AppContext context = new AppContext(() -> Settings.from(env), new LocalCloudRouting(), Clock.systemUTC(), null, Tables.prefixed("health"));

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
        AppContext context = new AppContext(() -> Settings.from(env), routing, Clock.systemUTC(), vault.credential(), Tables.prefixed("health"));

        FakeHttpResponse response = call(context);

        assertEquals(503, response.getStatusCode());
        JsonNode body = Json.MAPPER.readTree(response.bodyText());
        assertEquals("ok", body.get("checks").get("storage").asText());
        assertEquals("key_unavailable", body.get("checks").get("tokenKey").asText());
    }

    private static FakeHttpResponse call(AppContext context) {
        HealthFunction function = context.newFunction(HealthFunction.class);
        return (FakeHttpResponse) function.run(FakeHttpRequest.get("https://func.example.net/api/health"),
                new FakeExecutionContext("health"));
    }
}
