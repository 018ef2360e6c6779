package io.m365connector.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.app.AppContext;
import io.m365connector.app.Tables;
import io.m365connector.app.Wiring;
import io.m365connector.platform.Json;
import io.m365connector.platform.SettingsReader;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.FakeHttpRequest;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.LocalCloudRouting;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * README's first run: `npm start` copies local.settings.sample.json and fills in the token key; "until the client id is in,
 * every function answers a configuration_error naming it", and the secret's placeholder likewise.
 */
class SampleSettingsAnswerTest {
    @Test
    void whenTheSampleRunsWithOnlyTheKeyFilledInThenAFunctionAnswersConfigurationErrorNamingTheClientIdAndTheSecret() throws IOException {
        Map<String, String> env = new HashMap<>();
        Json.MAPPER.readTree(Path.of("local.settings.sample.json").toFile()).get("Values").fields()
                .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        env.put("LOCAL_TOKEN_KEY", Base64.getEncoder().encodeToString(new byte[32]));
        env.put("AzureWebJobsStorage", Azurite.shared().connectionString());
        AppContext context = new AppContext(Wiring.production().settings(() -> SettingsReader.read(env)).routing(new LocalCloudRouting())
                .clock(Clock.systemUTC()).tables(Tables.prefixed("samplesettings")));

        FakeHttpResponse response = (FakeHttpResponse) context.newFunction(ConnectionFunctions.class).create(FakeHttpRequest.post(
                "https://func.example.net/api/connections", "{\"ownerId\":\"me\",\"features\":[\"mail\"],\"cloud\":\"global\"}")
                .header("Content-Type", "application/json"), new FakeExecutionContext("createConnection"));

        assertEquals(500, response.getStatusCode(), response.bodyText());
        JsonNode problem = Json.MAPPER.readTree(response.bodyText());
        assertEquals("configuration_error", problem.path("code").asText());
        String detail = problem.path("detail").asText();
        assertTrue(detail.contains("M365_GLOBAL_CLIENT_ID still holds the sample's placeholder"), detail);
        assertTrue(detail.contains("M365_GLOBAL_CLIENT_SECRET still holds the sample's placeholder"), detail);
    }
}
