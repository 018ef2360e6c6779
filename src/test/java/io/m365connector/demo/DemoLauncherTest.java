package io.m365connector.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.testing.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code npm run demo} as a newcomer runs it (npm, the script, Maven, the demo's JVM, Azurite and the
 * sample web app as children): a warm start says so, the demo serves, a SIGTERM to npm stops every
 * child, and a start right after the stop, on the same ports, works (address reuse).
 */
class DemoLauncherTest {
    private static final Pattern KEY = Pattern.compile("^\\s*KEY=(\\S+)$");

    /**
     * One {@code npm run demo}: its process and what it printed. The output goes to a file, not a pipe:
     * npm exits as soon as it has passed the signal on, and the JDK closes a child's output pipe when the
     * child exits, which would lose what the demo's JVM prints while it stops.
     */
    private static final class Launch {
        final Process npm;
        final Path log;

        Launch(int functionsPort, int appPort) throws IOException {
            log = Files.createTempFile(Path.of("target"), "demo-launch-", ".log");
            npm = new ProcessBuilder("npm", "run", "demo", "--", "--functions-port", String.valueOf(functionsPort), "--app-port",
                    String.valueOf(appPort)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        }

        void awaitReady() throws InterruptedException {
            Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
            while (Instant.now().isBefore(deadline) && npm.isAlive()) {
                if (text().contains("Press Ctrl+C to stop.")) {
                    return;
                }
                Thread.sleep(200);
            }
            throw new AssertionError("the demo did not start: " + text());
        }

        String key() {
            return text().lines().map(KEY::matcher).filter(Matcher::matches).map(m -> m.group(1)).findFirst().orElseThrow();
        }

        String text() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void whenNpmGetsSigtermThenEveryChildStopsAndAStartRightAfterOnTheSamePortsWorks() throws Exception {
        int functionsPort = Ports.free();
        int appPort = Ports.free();

        List<ProcessHandle> first = runAndStop(functionsPort, appPort);
        List<ProcessHandle> second = runAndStop(functionsPort, appPort); // at once: the first run's connections are in TIME_WAIT

        assertTrue(first.stream().noneMatch(second::contains));
    }

    /** Starts the demo, uses it, sends SIGTERM to npm, and checks that npm and all its descendants are gone. */
    private static List<ProcessHandle> runAndStop(int functionsPort, int appPort) throws Exception {
        Launch launch = new Launch(functionsPort, appPort);
        List<ProcessHandle> children = List.of();
        try {
            launch.awaitReady();
            String text = launch.text();
            assertTrue(text.contains("[3/4] Compiling changes with Maven...") && !text.contains("about 2 minutes"),
                    "a warm run does not announce the first run's download: " + text);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + functionsPort + "/api/connections"))
                    .header("x-functions-key", launch.key()).header("X-Owner-Id", "me").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"ownerId\":\"me\",\"features\":[\"mail\"],\"cloud\":\"global\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, created.statusCode(), created.body());
            for (String key : new String[] {null, launch.key() + "x"}) { // README: the API answers 401 without the key
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + functionsPort + "/api/connections?ownerId=me"))
                        .header("X-Owner-Id", "me");
                if (key != null) {
                    request.header("x-functions-key", key);
                }
                assertEquals(401, http.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode(), "key " + (key == null ? "none" : "wrong"));
            }
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + appPort + "/")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "the sample web app answers");
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + functionsPort + "/api/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());

            children = launch.npm.toHandle().descendants().toList();
            assertTrue(children.stream().anyMatch(p -> command(p).contains("azurite")), "Azurite runs: " + describe(children));
            assertTrue(children.stream().anyMatch(p -> command(p).contains("samples/webapp/dist/src/server.js")),
                    "the sample web app runs: " + describe(children));

            launch.npm.destroy(); // SIGTERM, to npm only
            assertTrue(launch.npm.waitFor(60, TimeUnit.SECONDS), "npm ended: " + launch.text());
            Instant deadline = Instant.now().plusSeconds(30);
            while (children.stream().anyMatch(ProcessHandle::isAlive) && Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
            }
            assertEquals(List.of(), children.stream().filter(ProcessHandle::isAlive).map(DemoLauncherTest::command).toList(),
                    "children still running after SIGTERM to npm");
            assertTrue(launch.text().contains("Stopping the demo"), launch.text());
            assertFalse(launch.text().contains("Not checked: set"), "no settings asked for that the demo does not need: " + launch.text());
            assertFalse(launch.text().contains("SEVERE"), launch.text());
            return children;
        } finally {
            // whatever a failed run left behind
            launch.npm.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            launch.npm.destroyForcibly();
        }
    }

    private static String command(ProcessHandle process) {
        return process.info().commandLine().orElse("?");
    }

    private static String describe(List<ProcessHandle> processes) {
        return processes.stream().map(p -> p.pid() + " " + command(p)).toList().toString();
    }
}
