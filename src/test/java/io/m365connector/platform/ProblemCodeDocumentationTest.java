package io.m365connector.platform;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.connect.Guidance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every stable error code has a row in docs/TROUBLESHOOTING.md, and connect errors carry their guidance there. */
class ProblemCodeDocumentationTest {
    @Test
    void whenTroubleshootingIsReadThenEveryProblemCodeHasATroubleshootingRow() throws IOException {
        String troubleshooting = troubleshooting();
        List<String> missing = new ArrayList<>();
        for (ProblemCode code : ProblemCode.values()) {
            if (!troubleshooting.contains("| `" + code.code() + "` |")) {
                missing.add(code.code());
            }
        }
        assertTrue(missing.isEmpty(), "docs/TROUBLESHOOTING.md has no row for: " + missing);
    }

    @Test
    void whenTroubleshootingIsReadThenTheGuidanceShownInTheBrowserIsTheSameText() throws IOException {
        String troubleshooting = troubleshooting();
        List<String> differing = new ArrayList<>();
        Guidance.all().forEach((code, guidance) -> {
            if (!troubleshooting.contains(guidance.forUser()) || !troubleshooting.contains(guidance.forAdmin())) {
                differing.add(code.code());
            }
        });
        assertTrue(differing.isEmpty(), "docs/TROUBLESHOOTING.md guidance differs from the pages for: " + differing);
    }

    private static String troubleshooting() throws IOException {
        return Files.readString(Path.of("docs/TROUBLESHOOTING.md"));
    }
}
