package io.m365connector.platform;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.connect.Guidance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every stable error code has a row in the README's troubleshooting tables, and connect errors carry their guidance there. */
class ProblemCodeDocumentationTest {
    @Test
    void whenReadmeIsReadThenEveryProblemCodeHasATroubleshootingRow() throws IOException {
        String troubleshooting = troubleshooting();
        List<String> missing = new ArrayList<>();
        for (ProblemCode code : ProblemCode.values()) {
            if (!troubleshooting.contains("| `" + code.code() + "` |")) {
                missing.add(code.code());
            }
        }
        assertTrue(missing.isEmpty(), "README troubleshooting has no row for: " + missing);
    }

    @Test
    void whenReadmeIsReadThenTheGuidanceShownInTheBrowserIsTheSameText() throws IOException {
        String troubleshooting = troubleshooting();
        List<String> differing = new ArrayList<>();
        Guidance.all().forEach((code, guidance) -> {
            if (!troubleshooting.contains(guidance.forUser()) || !troubleshooting.contains(guidance.forAdmin())) {
                differing.add(code.code());
            }
        });
        assertTrue(differing.isEmpty(), "README guidance differs from the pages for: " + differing);
    }

    private static String troubleshooting() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        return readme.substring(readme.indexOf("## Troubleshooting"));
    }
}
