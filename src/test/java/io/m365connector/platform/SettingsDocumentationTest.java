package io.m365connector.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.platform.Settings.SettingsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every setting the code reads is in local.settings.sample.json and explained in docs/CONFIGURATION.md. */
class SettingsDocumentationTest {
    @Test
    void whenSampleSettingsAreReadThenEverySettingIsThereAndNothingElse() throws IOException {
        JsonNode values = Json.MAPPER.readTree(Path.of("local.settings.sample.json").toFile()).get("Values");
        TreeSet<String> inSample = new TreeSet<>();
        values.fieldNames().forEachRemaining(inSample::add);
        inSample.remove("FUNCTIONS_WORKER_RUNTIME");
        assertEquals(new TreeSet<>(Setting.allNames()), inSample);
    }

    @Test
    void whenConfigurationIsReadThenEverySettingIsExplained() throws IOException {
        String readme = Files.readString(Path.of("docs/CONFIGURATION.md"));
        List<String> missing = new ArrayList<>();
        for (Setting setting : Setting.values()) {
            if (!readme.contains("`" + setting.pattern() + "`")) {
                missing.add(setting.pattern());
            }
        }
        assertTrue(missing.isEmpty(), "docs/CONFIGURATION.md does not explain: " + missing);
    }

    @Test
    void whenSampleIsUsedAsIsThenTheAppAcceptsItAfterTheKeyTheClientIdAndTheClientSecretAreFilledIn() throws IOException {
        Map<String, String> env = sample();
        env.put("LOCAL_TOKEN_KEY", Base64.getEncoder().encodeToString(new byte[32]));
        env.put("M365_GLOBAL_CLIENT_ID", "0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5");
        env.put("M365_GLOBAL_CLIENT_SECRET", "a~secret~value~from~entra~id");
        Settings settings = SettingsReader.read(env);
        assertEquals("http://localhost:7071/api/auth/callback", settings.redirectUri());
    }

    @Test
    void whenTheSamplesSecretPlaceholderIsLeftThenTheSettingIsRefusedSayingHowToGetASecret() throws IOException {
        // accepted, the app started and every sign-in failed at the callback (app_secret_invalid)
        Map<String, String> env = sample();
        env.put("LOCAL_TOKEN_KEY", Base64.getEncoder().encodeToString(new byte[32]));

        SettingsException refused = assertThrows(SettingsException.class, () -> SettingsReader.read(env));

        assertTrue(refused.problems().stream().anyMatch(p -> p.contains("M365_GLOBAL_CLIENT_SECRET") && p.contains("placeholder")
                && p.contains("az ad app credential reset")), refused.problems().toString());
    }

    @Test
    void whenTheSamplesClientIdPlaceholderIsLeftThenTheSettingIsRefusedSayingWhereTheIdComesFrom() throws IOException {
        // the sample's client id was a GUID that passed: the app started and every sign-in failed at Entra ID (README:
        // "until the client id is in, every function answers a configuration_error naming it")
        Map<String, String> env = sample();
        env.put("LOCAL_TOKEN_KEY", Base64.getEncoder().encodeToString(new byte[32]));
        env.put("M365_GLOBAL_CLIENT_SECRET", "a~secret~value~from~entra~id");

        SettingsException refused = assertThrows(SettingsException.class, () -> SettingsReader.read(env));

        assertEquals(1, refused.problems().size(), refused.problems().toString());
        assertTrue(refused.problems().get(0).startsWith("M365_GLOBAL_CLIENT_ID still holds the sample's placeholder")
                && refused.problems().get(0).contains("scripts/register-app"), refused.problems().toString());
    }

    private static Map<String, String> sample() throws IOException {
        JsonNode values = Json.MAPPER.readTree(Path.of("local.settings.sample.json").toFile()).get("Values");
        Map<String, String> env = new HashMap<>();
        values.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        return env;
    }
}
