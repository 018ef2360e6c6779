package io.m365connector.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.app.AppContext;
import io.m365connector.app.Wiring;
import io.m365connector.app.Tables;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.health.HealthService;
import io.m365connector.platform.Json;
import io.m365connector.platform.StorageUnavailableException;
import io.m365connector.platform.SettingsReader;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.FakeHttpRequest;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.FakeKeyVault;
import io.m365connector.testing.LocalCloudRouting;
import io.m365connector.testing.StandardWebhooks;
import io.m365connector.testing.TestSettings;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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

    /** OPERATIONS.md, Health: webhook events given up on make the report degraded (200), so a probe notices them. */
    @Test
    void whenWebhookEventsWereGivenUpOnThenHealthCountsThemAndIsDegraded() throws Exception {
        Map<String, String> env = TestSettings.base(Azurite.shared().connectionString());
        env.put("NOTIFY_WEBHOOK_URL", "https://" + ConnectorHarness.APP_HOST + "/webhooks/m365");
        env.put("NOTIFY_WEBHOOK_SIGNING_SECRET", StandardWebhooks.newSecret());
        String prefix = "hw" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        AppContext context = new AppContext(Wiring.production().settings(() -> SettingsReader.read(env)).routing(new LocalCloudRouting())
                .clock(Clock.systemUTC()).tables(Tables.prefixed(prefix)));

        JsonNode before = Json.MAPPER.readTree(call(context).bodyText());
        assertEquals("ok", before.get("status").asText(), before.toString());
        assertEquals(0, before.path("webhooks").path("givenUp").asLong(-1), "no poison queue yet: none given up on");
        QueueClient poison = new QueueClientBuilder().connectionString(Azurite.shared().connectionString())
                .queueName(prefix + "-status-notifications-poison").buildClient();
        poison.createIfNotExists();
        poison.sendMessage("{\"event\":{\"id\":\"evt_1\"},\"attempt\":30}");
        poison.sendMessage("{\"event\":{\"id\":\"evt_2\"},\"attempt\":30}");

        FakeHttpResponse response = call(context);

        assertEquals(200, response.getStatusCode());
        JsonNode body = Json.MAPPER.readTree(response.bodyText());
        assertEquals("degraded", body.get("status").asText(), body.toString());
        assertEquals("status-notifications-poison", body.path("webhooks").path("queue").asText());
        assertEquals(2, body.path("webhooks").path("givenUp").asLong());
        assertFalse(response.bodyText().contains("evt_1"), "a count, never the events");
    }

    /** Not knowing whether events were given up on is not "none": degraded, without a count. */
    @Test
    void whenTheWebhookCountFailsThenHealthIsDegradedWithoutACount() {
        HealthService.Report report = new HealthService(Map.of("storage", () -> { }), List::of, new HealthService.GivenUpWebhooks(
                MaintenanceFunctions.NOTIFICATION_POISON_QUEUE, () -> {
                    throw new StorageUnavailableException("the queue service does not answer", null);
                })).check();

        assertEquals("degraded", report.status());
        assertEquals("status-notifications-poison", report.webhooks().queue());
        assertNull(report.webhooks().givenUp());
        assertTrue(report.healthy(), "still 200: everything else works");
    }

    @Test
    void whenNoWebhookIsSetThenHealthSaysNothingAboutWebhooks() throws Exception {
        Map<String, String> env = TestSettings.base(Azurite.shared().connectionString());
        env.remove("NOTIFY_WEBHOOK_URL");
        AppContext context = new AppContext(Wiring.production().settings(() -> SettingsReader.read(env)).routing(new LocalCloudRouting())
                .clock(Clock.systemUTC()).tables(Tables.prefixed("health")));

        assertFalse(Json.MAPPER.readTree(call(context).bodyText()).has("webhooks"));
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
