package io.m365connector;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.testing.LogCapture;
import io.m365connector.testing.SecretsLedger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Runs after every other test class of the suite (class order by @Order) and fails if any secret the
 * suite created or saw (tokens, codes, client secrets, keys, ciphertexts) appears in anything logged:
 * java.util.logging at every level (the app's own logs, MSAL4J, Azure SDK) and stdout/stderr.
 */
@Order(Integer.MAX_VALUE)
class LogLeakTest {
    @Test
    void whenTheSuiteHasRunThenNoSecretAppearsInAnyLogOutput() {
        String logs = LogCapture.captured();
        try {
            Files.writeString(Path.of("target", "captured-logs.txt"), logs);
        } catch (IOException ignored) {
            // only for reading after a failure
        }
        assertTrue(logs.length() > 1000, "log capture saw almost nothing: is LogCaptureExtension registered?");
        assertTrue(SecretsLedger.all().size() >= 10, "too few secrets were recorded to make this test meaningful");
        List<String> leaked = new ArrayList<>();
        for (String secret : SecretsLedger.all()) {
            if (logs.contains(secret)) {
                int at = logs.indexOf(secret);
                leaked.add(secret.substring(0, 4) + "... (" + secret.length() + " chars) at offset " + at + " of target/captured-logs.txt");
            }
        }
        assertTrue(leaked.isEmpty(), "secrets found in logs: " + leaked);
    }
}
