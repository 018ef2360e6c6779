package io.m365connector.devhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.platform.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** npm start without Azure Functions Core Tools says what is missing and how to install it, instead of failing obscurely. */
class LocalRunScriptTest {
    @Test
    void whenCoreToolsAreMissingThenTheScriptExplainsHowToInstallThemAndStops() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "scripts/run-local.sh").redirectErrorStream(true);
        builder.environment().put("PATH", "/usr/bin:/bin");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue(), output);
        assertTrue(output.contains("Azure Functions Core Tools (the `func` command) is not installed"), output);
        assertTrue(output.contains("npm install -g azure-functions-core-tools@4"), output);
        assertTrue(output.contains("npm run demo"), output);
    }

    /**
     * README: "The first npm start creates that file from local.settings.sample.json with a fresh LOCAL_TOKEN_KEY (and says
     * so)". Run in a copy of the repository's two files with stand-ins for func, mvn, java, npm and Azurite; a second start
     * keeps the file and its key.
     */
    @Test
    void whenStartedTheFirstTimeThenLocalSettingsAreCreatedWithAFreshKeyAndKeptTheNextTime() throws IOException, InterruptedException {
        Path repo = Files.createTempDirectory("run-local");
        Files.createDirectories(repo.resolve("scripts"));
        Files.copy(Path.of("scripts/run-local.sh"), repo.resolve("scripts/run-local.sh"));
        Files.copy(Path.of("local.settings.sample.json"), repo.resolve("local.settings.sample.json"));
        Path bin = Files.createDirectories(repo.resolve("stub-bin"));
        stub(bin.resolve("func"), "exit 0");
        stub(bin.resolve("java"), "exit 0");
        stub(bin.resolve("npm"), "exit 0");
        stub(bin.resolve("mvn"), "mkdir -p target/azure-functions/m365-connector");
        stub(Files.createDirectories(repo.resolve("node_modules/.bin")).resolve("azurite"), "exit 0");

        String first = run(repo, bin);
        String settings = Files.readString(repo.resolve("local.settings.json"));
        String key = Json.MAPPER.readTree(settings).path("Values").path("LOCAL_TOKEN_KEY").asText();
        String second = run(repo, bin);

        assertTrue(first.contains("Created local.settings.json from the sample with a fresh LOCAL_TOKEN_KEY."), first);
        assertEquals(32, Base64.getDecoder().decode(key).length, "32 random bytes: " + key);
        assertFalse(Files.readString(Path.of("local.settings.sample.json")).contains(key));
        assertFalse(second.contains("Created local.settings.json"), second);
        assertEquals(settings, Files.readString(repo.resolve("local.settings.json")), "kept, with its key");
        assertTrue(Files.exists(repo.resolve("target/azure-functions/m365-connector/local.settings.json")), "handed to func");
    }

    private static void stub(Path file, String body) throws IOException {
        Files.writeString(file, "#!/usr/bin/env bash\n" + body + "\n");
        file.toFile().setExecutable(true);
    }

    private static String run(Path repo, Path bin) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "scripts/run-local.sh").directory(repo.toFile()).redirectErrorStream(true);
        builder.environment().put("PATH", bin + ":/usr/bin:/bin");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        return output;
    }
}
