package io.m365connector.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.m365connector.platform.ProblemCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An operator searching TROUBLESHOOTING.md for the AADSTS number or OAuth error in a log line finds the row of the code the
 * connector answers for it: every entry of {@link EntraErrors}' tables is named in that code's row.
 */
class EntraErrorsDocumentationTest {
    @Test
    void whenEntraIdAnswersAKnownErrorThenTheTroubleshootingRowOfItsCodeNamesIt() throws IOException {
        List<String> rows = Files.readAllLines(Path.of("docs/TROUBLESHOOTING.md"));
        TreeSet<String> missing = new TreeSet<>();
        EntraErrors.BY_AADSTS.forEach((number, code) -> check(rows, code, String.valueOf(number), missing));
        EntraErrors.BY_ERROR.forEach((error, code) -> check(rows, code, error, missing));
        assertEquals(new TreeSet<>(), missing, "Entra ID errors missing from their code's row in docs/TROUBLESHOOTING.md");
    }

    private static void check(List<String> rows, ProblemCode code, String error, TreeSet<String> missing) {
        String prefix = "| `" + code.code() + "` |";
        Pattern word = Pattern.compile("(?<![\\w-])" + Pattern.quote(error) + "(?![\\w-])");
        boolean named = rows.stream().filter(r -> r.startsWith(prefix)).anyMatch(r -> word.matcher(r).find());
        if (!named) {
            missing.add(error + " -> " + code.code());
        }
    }

}
