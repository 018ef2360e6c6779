package io.m365connector.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private static Azurite securedShared;

    private final Path logFile;
    private final Path location;
    /** HTTPS with the fakes' certificate, bearer tokens checked (--oauth basic), account names from host names. */
    private final boolean secured;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private int tablePort;
    private int queuePort;
    private int blobPort;

    private Azurite(Path logFile, Path location) {
        this(logFile, location, false);
    }

    private Azurite(Path logFile, Path location, boolean secured) {
        this.logFile = logFile;
        this.location = location;
        this.secured = secured;
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

    /**
     * An Azurite of its own with nothing in it (in memory), for tests that must start from an empty
     * storage account: no tables, no queues. Stopped when the JVM exits.
     */
    public static Azurite fresh(String name) {
        Azurite azurite = new Azurite(Path.of("target", "azurite-" + name + ".log"), null);
        azurite.start();
        Runtime.getRuntime().addShutdownHook(new Thread(azurite::stop));
        return azurite;
    }

    /**
     * An Azurite that takes what Table and Queue Storage take from an identity-based app: HTTPS (the fakes'
     * certificate, which names the storage hosts of every cloud), a bearer token checked as Azurite's {@code --oauth basic}
     * checks it (an Entra ID issuer, audience https://storage.azure.com or the account's service URL, within its lifetime;
     * the signature is not checked), and the account name read from a production host name
     * ({@code devstoreaccount1.table.core.windows.net}, routed here by the test). The account key works too. It listens on
     * every loopback address, because the test route table gives each routed host one of its own. One per test JVM (each
     * harness has tables of its own), started on first use, stopped when the JVM exits.
     */
    public static synchronized Azurite secured() {
        if (securedShared == null) {
            Azurite azurite = new Azurite(Path.of("target", "azurite-secured.log"), null, true);
            azurite.start();
            Runtime.getRuntime().addShutdownHook(new Thread(azurite::stop));
            securedShared = azurite;
        }
        return securedShared;
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
        String base = secured ? "https://localhost:" : "http://127.0.0.1:";
        return "DefaultEndpointsProtocol=" + (secured ? "https" : "http") + ";AccountName=" + ACCOUNT + ";AccountKey=" + KEY
                + ";BlobEndpoint=" + base + blobPort + "/" + ACCOUNT
                + ";QueueEndpoint=" + base + queuePort + "/" + ACCOUNT
                + ";TableEndpoint=" + base + tablePort + "/" + ACCOUNT + ";";
    }

    public int queuePort() {
        return queuePort;
    }

    /** CPU time used so far by each Azurite process (by binary name), for benchmarks. */
    public synchronized Map<String, Duration> cpuTimes() {
        Map<String, Duration> times = new LinkedHashMap<>();
        processes.forEach((binary, process) ->
                times.put(binary, process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO)));
        return times;
    }

    public int tablePort() {
        return tablePort;
    }

    /**
     * Takes storage away at once: every request fails until {@link #revive()}. SIGTERM, not SIGKILL:
     * Azurite's LokiJS store writes to disk on a timer, so a SIGKILL would lose writes it had already
     * acknowledged, which Table Storage never does. On SIGTERM Azurite closes its listeners and saves.
     */
    public synchronized void kill() {
        for (Process process : processes.values()) {
            process.destroy();
        }
        for (Process process : processes.values()) {
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }

    /** Starts again on the same ports after {@link #kill()}; a persistent Azurite finds its data again. */
    public synchronized void revive() {
        launch();
    }

    /** Stops and starts again on the same ports: everything in memory is gone, clients reconnect. */
    public synchronized void restart() {
        stop();
        launch();
    }

    private void start() {
        ensureInstalled();
        tablePort = Ports.free();
        queuePort = Ports.free();
        blobPort = Ports.free();
        launch();
    }

    private void launch() {
        try {
            Files.createDirectories(logFile.getParent());
            List<String> storage = location == null ? List.of("--inMemoryPersistence")
                    : List.of("--location", Files.createDirectories(location).toString());
            List<String> common = secured
                    ? List.of("--skipApiVersionCheck", "--loose", "--disableTelemetry", "--oauth", "basic",
                            "--cert", TestPki.shared().serverKeyStore().toString(), "--pwd", new String(TestPki.PASSWORD))
                    : List.of("--skipApiVersionCheck", "--loose", "--disableProductStyleUrl", "--disableTelemetry");
            String host = secured ? "0.0.0.0" : "127.0.0.1";
            List<String> blob = List.of("--blobHost", host, "--blobPort", String.valueOf(blobPort));
            List<String> queue = List.of("--queueHost", host, "--queuePort", String.valueOf(queuePort));
            List<String> table = List.of("--tableHost", host, "--tablePort", String.valueOf(tablePort));
            if (perServiceProcesses()) {
                launch("azurite-blob", storage, common, blob);
                launch("azurite-queue", storage, common, queue);
                launch("azurite-table", storage, common, table);
            } else {
                launch("azurite", storage, common, blob, queue, table);
            }
            waitUntilListening();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start Azurite: " + e.getMessage(), e);
        }
    }

    /**
     * {@code -Dm365c.azurite.perService=true} runs Blob, Queue and Table in three Node.js processes
     * instead of one. Each Azurite process serves requests on one thread; in Azure the services scale
     * apart, and the sweep benchmark would otherwise measure one Node.js event loop.
     */
    private static boolean perServiceProcesses() {
        return Boolean.getBoolean("m365c.azurite.perService");
    }

    @SafeVarargs
    private void launch(String binary, List<String>... arguments) throws IOException {
        ArrayList<String> command = new ArrayList<>(List.of(executable(binary).toString()));
        for (List<String> group : arguments) {
            command.addAll(group);
        }
        processes.put(binary, new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start());
    }

    private void waitUntilListening() throws IOException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (processes.values().stream().anyMatch(p -> !p.isAlive())) {
                throw new IllegalStateException("Azurite exited early; see " + logFile.toAbsolutePath());
            }
            if (listening(tablePort) && listening(queuePort) && listening(blobPort)) {
                return;
            }
            sleep(100);
        }
        throw new IllegalStateException("Azurite did not start within 60 s; see " + logFile.toAbsolutePath());
    }

    public synchronized void stop() {
        for (Process process : processes.values()) {
            process.destroy();
        }
        for (Process process : processes.values()) {
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!processes.isEmpty()) {
            Instant deadline = Instant.now().plusSeconds(10);
            while ((listening(tablePort) || listening(queuePort)) && Instant.now().isBefore(deadline)) {
                sleep(50);
            }
        }
        processes.clear();
    }

    /**
     * Installs Azurite once per checkout: the test JVMs that start together (pom.xml, testForks) take turns through
     * a file lock, and the ones after the first find it installed.
     */
    private static void ensureInstalled() {
        if (Files.isRegularFile(executable("azurite"))) {
            return;
        }
        try {
            Files.createDirectories(Path.of("target"));
            try (FileChannel lock = FileChannel.open(Path.of("target", "npm-install.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = lock.lock()) {
                if (!Files.isRegularFile(executable("azurite"))) {
                    install();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot install Azurite: " + e.getMessage(), e);
        }
    }

    private static void install() {
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

    private static Path executable(String binary) {
        return Path.of("node_modules", ".bin", binary);
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
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
