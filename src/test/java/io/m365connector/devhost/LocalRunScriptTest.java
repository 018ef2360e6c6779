package io.m365connector.devhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
}
