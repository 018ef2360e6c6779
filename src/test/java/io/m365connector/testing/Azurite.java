package io.m365connector.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Azurite (from package.json) started by the tests themselves: random free ports, in-memory
 * persistence, stopped when the test JVM exits. Installs the npm package first when node_modules is
 * missing, so a fresh clone needs only Node and npm.
 */
public final class Azurite {
    private static final String ACCOUNT = "devstoreaccount1";
    private static final String KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static Azurite shared;

    private final Path logFile;
    private final Path location;
    private Process process;
    private int tablePort;
    private int queuePort;
    private int blobPort;

    private Azurite(Path logFile, Path location) {
        this.logFile = logFile;
        this.location = location;
    }

    /**
     * A second Azurite that keeps its data on disk under {@code location}, for tests that restart it
     * and expect tables and queues to survive. Stopped when the JVM exits.
     */
    public static Azurite persistent(Path location) {
        Azurite azurite = new Azurite(Path.of("target", "azurite-persistent.log"), location);
        azurite.start();
        Runtime.getRuntime().addShutdownHook(new Thread(azurite::stop));
        return azurite;
    }

    /** The suite's Azurite, started on first use. */
    public static synchronized Azurite shared() {
        if (shared == null) {
            Azurite azurite = new Azurite(Path.of("target", "azurite.log"), null);
            azurite.start();
            Runtime.getRuntime().addShutdownHook(new Thread(azurite::stop));
            shared = azurite;
        }
        return shared;
    }

    public String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + KEY
                + ";BlobEndpoint=http://127.0.0.1:" + blobPort + "/" + ACCOUNT
                + ";QueueEndpoint=http://127.0.0.1:" + queuePort + "/" + ACCOUNT
                + ";TableEndpoint=http://127.0.0.1:" + tablePort + "/" + ACCOUNT + ";";
    }

    public int tablePort() {
        return tablePort;
    }

    /** Stops and starts again on the same ports: everything in memory is gone, clients reconnect. */
    public synchronized void restart() {
        stop();
        launch();
    }

    private void start() {
        ensureInstalled();
        tablePort = freePort();
        queuePort = freePort();
        blobPort = freePort();
        launch();
    }

    private void launch() {
        try {
            Files.createDirectories(logFile.getParent());
            List<String> storage = location == null ? List.of("--inMemoryPersistence")
                    : List.of("--location", Files.createDirectories(location).toString());
            java.util.ArrayList<String> command = new java.util.ArrayList<>(List.of(executable().toString()));
            command.addAll(storage);
            command.addAll(List.of("--skipApiVersionCheck", "--loose", "--disableProductStyleUrl",
                    "--blobHost", "127.0.0.1", "--blobPort", String.valueOf(blobPort),
                    "--queueHost", "127.0.0.1", "--queuePort", String.valueOf(queuePort),
                    "--tableHost", "127.0.0.1", "--tablePort", String.valueOf(tablePort)));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            process = builder.start();
            waitUntilListening();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start Azurite: " + e.getMessage(), e);
        }
    }

    private void waitUntilListening() throws IOException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Azurite exited early; see " + logFile.toAbsolutePath());
            }
            if (listening(tablePort) && listening(queuePort)) {
                return;
            }
            sleep(100);
        }
        throw new IllegalStateException("Azurite did not start within 60 s; see " + logFile.toAbsolutePath());
    }

    public synchronized void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Instant deadline = Instant.now().plusSeconds(10);
            while (listening(tablePort) && Instant.now().isBefore(deadline)) {
                sleep(50);
            }
        }
    }

    private static void ensureInstalled() {
        if (Files.isRegularFile(executable())) {
            return;
        }
        try {
            boolean hasLock = Files.exists(Path.of("package-lock.json"));
            Process npm = new ProcessBuilder("npm", hasLock ? "ci" : "install", "--no-audit", "--no-fund")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(new File("target/npm-install.log")))
                    .start();
            if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                throw new IllegalStateException("npm could not install Azurite; see target/npm-install.log. "
                        + "Node.js and npm must be installed (https://nodejs.org).");
            }
        } catch (IOException e) {
            throw new IllegalStateException("npm is not installed: the tests need Node.js and npm to run Azurite (https://nodejs.org).", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while installing Azurite", e);
        }
    }

    private static Path executable() {
        return Path.of("node_modules", ".bin", "azurite");
    }

    private static boolean listening(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
