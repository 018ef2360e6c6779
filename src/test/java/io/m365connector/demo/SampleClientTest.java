package io.m365connector.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The sample web app's API client is generated from docs/openapi.yaml and committed (so a copied
 * sample builds without the connector's repository): it must be exactly what the document generates
 * now, or a change of the API would reach the sample only at run time.
 */
class SampleClientTest {
    private static final Path GENERATED = SampleWebApp.DIRECTORY.resolve("src/generated/connector-api.ts");

    @Test
    void whenTheOpenApiDocumentIsGeneratedAgainThenTheSamplesCommittedClientIsTheSame() throws Exception {
        Path fresh = Files.createTempFile(Path.of("target"), "connector-api-", ".ts");
        Process generate = new ProcessBuilder("node", "node_modules/openapi-typescript/bin/cli.js", "../../docs/openapi.yaml",
                "--output", fresh.toAbsolutePath().toString()).directory(SampleWebApp.DIRECTORY.toFile()).redirectErrorStream(true).start();
        String output = new String(generate.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(generate.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, generate.exitValue(), output);

        assertEquals(Files.readString(fresh), Files.readString(GENERATED),
                "run `npm run generate` in samples/webapp after changing docs/openapi.yaml, and commit the result");
    }
}
