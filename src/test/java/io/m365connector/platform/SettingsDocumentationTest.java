package io.m365connector.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
    void whenSampleIsUsedAsIsThenTheAppAcceptsItAfterTheKeyIsFilledIn() throws IOException {
        JsonNode values = Json.MAPPER.readTree(Path.of("local.settings.sample.json").toFile()).get("Values");
        Map<String, String> env = new HashMap<>();
        values.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        env.put("LOCAL_TOKEN_KEY", Base64.getEncoder().encodeToString(new byte[32]));
        Settings settings = SettingsReader.read(env);
        assertEquals("http://localhost:7071/api/auth/callback", settings.redirectUri());
    }
}
