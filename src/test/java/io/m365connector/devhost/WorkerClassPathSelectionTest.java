package io.m365connector.devhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps true what {@link WorkerClassPathCheck} leaves out: SyncTest does not run again on the worker's Gson because sync
 * reaches Graph only through GraphJsonRequests (Jackson bodies; Kiota's Gson reads just the OData errors, as for every
 * read the check runs). A sync class that names the SDK's models, Kiota's serialization or Gson puts SyncTest back.
 */
class WorkerClassPathSelectionTest {
    private static final Path SYNC = Path.of("src", "main", "java", "io", "m365connector", "sync");
    private static final Pattern GRAPH_IMPORT = Pattern.compile("^import (?:static )?(com\\.microsoft\\.(?:graph|kiota)[\\w.]*|com\\.google\\.gson[\\w.]*);",
            Pattern.MULTILINE);
    /** What sync may name of them: Kiota's HTTP method enum, which no JSON goes through. */
    private static final List<String> ALLOWED = List.of("com.microsoft.kiota.HttpMethod");

    @Test
    void whenSyncIsLeftOutOfTheWorkerClassPathCheckThenNoSyncClassUsesTheSdksJson() throws IOException {
        StringBuilder found = new StringBuilder();
        int files = 0;
        try (Stream<Path> sources = Files.walk(SYNC)) {
            for (Path file : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                files++;
                Matcher m = GRAPH_IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    if (!ALLOWED.contains(m.group(1))) {
                        found.append(file.getFileName()).append(": ").append(m.group(1)).append('\n');
                    }
                }
            }
        }
        assertTrue(files > 20, "read the sync package: " + files + " files");
        assertEquals("", found.toString(), "sync uses the Graph SDK's or Kiota's JSON: add io.m365connector.sync.SyncTest back to "
                + "WorkerClassPathCheck.GRAPH_TESTS");
        assertTrue(WorkerClassPathCheck.GRAPH_TESTS.contains("io.m365connector.sync.SyncWebhookTest"), "sync still runs there");
    }
}
