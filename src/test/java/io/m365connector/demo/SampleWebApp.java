package io.m365connector.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The sample web app (samples/webapp, Node.js) as a child process: started with its settings, ready
 * once it says it listens, its output kept (and appended to target/sample-webapp.log), stopped with
 * SIGTERM. Built beforehand by scripts/build-sample.sh (mvn runs it before the tests; so does the demo).
 */
public final class SampleWebApp implements AutoCloseable {
    static final Path DIRECTORY = Path.of("samples", "webapp");
    private static final Path LOG = Path.of("target", "sample-webapp.log");

    private final Process process;
    private final int port;
    private final List<String> output = new CopyOnWriteArrayList<>();

    /**
     * @param env CONNECTOR_API_URL, CONNECTOR_FUNCTION_KEY and the optional settings of samples/webapp/src/config.ts
     * @param echo where to copy its output as it comes (the demo's console), or null
     */
    public SampleWebApp(int port, Map<String, String> env, PrintStream echo) {
        this.port = port;
        Path server = DIRECTORY.resolve("dist/src/server.js");
        if (!Files.isRegularFile(server)) {
            throw new IllegalStateException("The sample web app is not built: run bash scripts/build-sample.sh (mvn does it).");
        }
        ProcessBuilder builder = new ProcessBuilder("node", server.toString()).redirectErrorStream(true);
        builder.environment().putAll(env);
        builder.environment().put("PORT", String.valueOf(port));
        builder.environment().put("PARENT_STDIN", "1"); // the app exits when this JVM is gone (its stdin pipe ends), however it ended
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start node (Node.js 20+ must be installed): " + e.getMessage(), e);
        }
        Thread reader = new Thread(() -> read(echo), "sample-webapp-output");
        reader.setDaemon(true);
        reader.start();
        awaitListening();
    }

    public String url() {
        return "http://localhost:" + port;
    }

    /** Everything the app printed so far (its log lines: webhooks verified or refused, failures). */
    public List<String> output() {
        return List.copyOf(output);
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Whether the app printed a line matching {@code wanted} within {@code timeout}: its output is read by a thread
     * of its own, so a line the app printed while answering a request may arrive here just after the answer.
     */
    public boolean printed(java.util.function.Predicate<String> wanted, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (output.stream().noneMatch(wanted)) {
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            sleep(20);
        }
        return true;
    }

    /** What a JVM's death does to the app's stdin pipe (tests: the app must not outlive the demo). */
    void closeStdin() throws IOException {
        process.getOutputStream().close();
    }

    /** Waits up to {@code seconds} for the app to exit by itself; whether it did. */
    boolean exited(int seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    private void read(PrintStream echo) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            Files.createDirectories(LOG.getParent());
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                output.add(line);
                Files.writeString(LOG, line + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                if (echo != null) {
                    echo.println("  [sample web app] " + line);
                }
            }
        } catch (IOException e) {
            output.add("(output lost: " + e.getMessage() + ")");
        }
    }

    private void awaitListening() {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            if (output.stream().anyMatch(line -> line.startsWith("Sample web app listening on"))) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("The sample web app exited (" + process.exitValue() + "): " + String.join("\n", output));
            }
            sleep(50);
        }
        close();
        throw new IllegalStateException("The sample web app did not start within 30 s: " + String.join("\n", new ArrayList<>(output)));
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM: the app closes its server and exits
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted"));
        }
    }
}
