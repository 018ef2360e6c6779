package io.m365connector.devhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps true what {@link WorkerClassPathCheck} leaves out: SyncTest does not run again on the worker's Gson because every
 * Graph call of sync goes through GraphJsonRequests (Jackson bodies; Kiota's Gson reads just the OData errors, as for every
 * read the check runs). Read from the compiled classes, so that a call through the SDK's fluent client (no import needed),
 * a wildcard import or a fully qualified name is seen too: a sync class that refers to the Graph SDK, Kiota's
 * serialization or Gson puts SyncTest back.
 */
class WorkerClassPathSelectionTest {
    private static final Path SYNC = Path.of("target", "classes", "io", "m365connector", "sync");
    private static final Pattern GRAPH_REFERENCE = Pattern.compile("(com/microsoft/(?:graph|kiota)/[\\w/$]*|com/google/gson/[\\w/$]*)");
    /** What sync may refer to: Kiota's HTTP method enum, which no JSON goes through. */
    private static final List<String> ALLOWED = List.of("com/microsoft/kiota/HttpMethod");

    @Test
    void whenSyncIsLeftOutOfTheWorkerClassPathCheckThenNoSyncClassUsesTheSdksJson() throws IOException {
        StringBuilder found = new StringBuilder();
        int classes = 0;
        try (Stream<Path> files = Files.walk(SYNC)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                classes++;
                // class names in the constant pool are plain ASCII in its modified UTF-8
                Matcher m = GRAPH_REFERENCE.matcher(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
                while (m.find()) {
                    if (!ALLOWED.contains(m.group(1))) {
                        found.append(file.getFileName()).append(": ").append(m.group(1)).append('\n');
                    }
                }
            }
        }
        assertTrue(classes > 20, "read the compiled sync package: " + classes + " classes");
        assertEquals("", found.toString(), "sync refers to the Graph SDK, Kiota's serialization or Gson: add io.m365connector.sync.SyncTest "
                + "back to WorkerClassPathCheck.GRAPH_TESTS");
        assertTrue(WorkerClassPathCheck.GRAPH_TESTS.contains("io.m365connector.sync.SyncWebhookTest"), "sync still runs there");
    }
}
