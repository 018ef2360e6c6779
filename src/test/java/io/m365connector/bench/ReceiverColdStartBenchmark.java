package io.m365connector.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.app.AppContext;
import io.m365connector.app.Tables;
import io.m365connector.app.Wiring;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.functions.GraphNotificationFunctions;
import io.m365connector.functions.SyncFunctions;
import io.m365connector.platform.Json;
import io.m365connector.platform.SettingsReader;
import io.m365connector.platform.http.HostRouting;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.FakeHttpRequest;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.FakeManagedIdentityEndpoint;
import io.m365connector.testing.IdentityStorage;
import io.m365connector.testing.LocalCloudRouting;
import io.m365connector.testing.TestPki;
import io.m365connector.testing.graph.NotificationEndpoint;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Cold answer of the change-notification receiver (Graph drops notifications to an endpoint that answers
 * slower than 3 s too often): a fresh JVM builds the composition root as the Functions worker does, asks for
 * the receiver function and hands it (a) a real change notification Graph sent for a subscription the
 * connector made (checked against its stored clientState, queued: 202) or (b) a validation request (200 with
 * the token). Measured from JVM start to the answer; median of {@code runs}. One more run of each logs the
 * classes loaded per library ({@code -Xlog:class+load}) to show what the receiver pays for: it must not load
 * the Graph SDK, Kiota, MSAL or Key Vault.
 *
 * A last child answers 2,000 notifications warm (after 200): p50 and p99 of the answer.
 *
 * <p>Run: {@code mvn -Pbench -DskipTests -Dbench.class=io.m365connector.bench.ReceiverColdStartBenchmark -Dbench.args="5 [storage]" verify};
 * {@code -Dcold.jvm=...} passes JVM options to the measured children. {@code storage} is how the children reach storage:
 * {@code connection-string} (the default: Azurite's account key), {@code identity} (identity-based, as the infra template
 * deploys it: service URIs and the platform's identity endpoint, on an HTTPS Azurite that checks bearer tokens) or
 * {@code identity-azure-identity} (the same, with the token from azure-identity's DefaultAzureCredential, which MSAL's
 * managed identity serves from the process environment: what every instance did before the platform identity credential).
 * {@code -Dcold.other.classes=<dir>} (another build's {@code target/classes}, e.g. a worktree of an earlier commit) also has
 * that build answer each cold notification, in turns with this one, and reports the per-run difference.
 */
public final class ReceiverColdStartBenchmark {
    /** The libraries reported, each with the jar name its jars have or start with ("microsoft-graph" takes microsoft-graph-core too). */
    private static final Map<String, String> LIBRARIES = Map.of("msal4j", "msal4j", "microsoft-graph", "microsoft-graph", "kiota", "microsoft-kiota",
            "azure-security-keyvault", "azure-security-keyvault", "azure-data-tables", "azure-data-tables", "azure-storage-queue",
            "azure-storage-queue", "azure-core", "azure-core", "okhttp", "okhttp", "jackson-databind", "jackson-databind", "azure-identity",
            "azure-identity");

    static final String REACTOR_SCHEDULERS = "reactor schedulers";

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].startsWith("child-")) {
            child(args[0], Path.of(args[1]));
            return;
        }
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String storage = args.length > 1 ? args[1] : "connection-string";
        String jvmArgs = System.getProperty("cold.jvm", "");
        ChildStorage childStorage = ChildStorage.CONNECTION_STRING;
        Azurite secured = storage.equals("connection-string") ? null : Azurite.secured();
        ConnectorHarness h = ConnectorHarness.withClockedQueues(env -> {
            if (secured != null) {
                env.put("AzureWebJobsStorage", secured.connectionString());
            }
        });
        if (secured != null) {
            childStorage = ChildStorage.identityBased(h, secured, storage.equals("identity-azure-identity"));
        } else if (!storage.equals("connection-string")) {
            throw new IllegalArgumentException("storage: connection-string, identity or identity-azure-identity, not " + storage);
        }
        System.out.println("RESULT storage of the children: " + storage);
        try {
            measure(h, childStorage, runs, jvmArgs);
        } finally {
            h.close();
            System.exit(0);
        }
    }

    /** A config file and the fakes' CA for the children: the harness's settings and a real notification Graph sent it. */
    record Prepared(Path config, Path ca, Map<String, String> processEnvironment) {
    }

    /**
     * How a child reaches storage: settings changed from the harness's, a route table (storage host names to a secured
     * Azurite), and variables set in the child's process environment (MSAL's managed identity reads those, not settings).
     */
    record ChildStorage(Consumer<Map<String, String>> settings, List<String> routes, Map<String, String> processEnvironment) {
        static final ChildStorage CONNECTION_STRING = new ChildStorage(env -> { }, List.of(), Map.of());

        /** What every cold child builds the app from: the harness's settings with this storage, its routes (under {@code routesField}), the table names. */
        ObjectNode childConfig(ConnectorHarness h, String routesField) {
            ObjectNode config = Json.MAPPER.createObjectNode();
            Map<String, String> env = new HashMap<>(h.env);
            settings.accept(env);
            config.set("env", Json.MAPPER.valueToTree(env));
            config.set(routesField, Json.MAPPER.valueToTree(routes));
            config.set("tables", Json.MAPPER.valueToTree(h.tables));
            return config;
        }

        /** Identity-based storage on {@code azurite}, the token from the platform credential or (azureIdentity) from azure-identity. */
        static ChildStorage identityBased(ConnectorHarness h, Azurite azurite, boolean azureIdentity) {
            FakeManagedIdentityEndpoint identity = IdentityStorage.endpoint(h.entra);
            Consumer<Map<String, String>> settings = env -> {
                IdentityStorage.apply(env, identity, IdentityStorage.CLIENT_ID);
                if (azureIdentity) {
                    identity.environment().keySet().forEach(env::remove); // not seen by the settings: DefaultAzureCredential serves
                }
            };
            List<String> routes = IdentityStorage.route(new LocalCloudRouting(), azurite).export();
            return new ChildStorage(settings, routes, azureIdentity ? identity.environment() : Map.of());
        }
    }

    static Prepared prepare(ConnectorHarness h) throws Exception {
        return prepare(h, ChildStorage.CONNECTION_STRING);
    }

    static Prepared prepare(ConnectorHarness h, ChildStorage storage) throws Exception {
        // Graph's deliveries go to this harness's receiver (validation included); the last change notification is kept to replay.
        AtomicReference<String> lastNotification = new AtomicReference<>();
        NotificationEndpoint receiver = h.graphEndpoint();
        h.graph.subscriptions().setEndpoint((url, contentType, body, query) -> {
            if (url.contains("/graph/notifications") && body != null && body.contains("clientState")) {
                lastNotification.set(body);
            }
            return receiver.deliver(url, contentType, body, query);
        });
        ConnectorHarness.Connected c = h.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        h.graph.mail().addMailbox(c.user().userPrincipalName());
        runQueuedSync(h); // the enrollment's first run makes the subscriptions
        ObjectNode mail = Json.MAPPER.createObjectNode().put("subject", "cold receiver");
        mail.putArray("toRecipients").addObject().putObject("emailAddress").put("address", c.user().userPrincipalName());
        h.graph.mail().deliver(c.user().userPrincipalName(), mail);
        if (lastNotification.get() == null) {
            throw new IllegalStateException("Graph sent no change notification: is the subscription in place?");
        }
        Path dir = Files.createTempDirectory("receivercold");
        Path ca = TestPki.shared().writeCaCertificate(dir.resolve("ca.der"));
        ObjectNode config = storage.childConfig(h, "routes");
        config.put("notification", lastNotification.get());
        Path file = Files.writeString(dir.resolve("config.json"), config.toString());
        return new Prepared(file, ca, storage.processEnvironment());
    }

    /**
     * One cold JVM answers the prepared notification with its class loading logged: the classes it loaded per
     * library (what {@code ReceiverFootprintTest} checks: no Graph SDK, Kiota, MSAL, azure-identity or Key Vault).
     */
    static Map<String, Integer> coldFootprint(Prepared prepared) throws Exception {
        Path log = Files.createTempFile(prepared.config().getParent(), "footprint", ".log");
        runChild("child-notification", prepared, "", log);
        return classesPerLibrary(log);
    }

    private static void measure(ConnectorHarness h, ChildStorage storage, int runs, String jvmArgs) throws Exception {
        Prepared prepared = prepare(h, storage);
        Path file = prepared.config();
        Path dir = file.getParent();
        h.queue(SyncFunctions.SYNC_QUEUE).createIfNotExists();
        int queuedBefore = h.queue(SyncFunctions.SYNC_QUEUE).getProperties().getApproximateMessagesCount();
        // Another build's classes (a worktree's target/classes) answer the same notification in turns with this build's, in
        // every iteration: the two medians then come from the same minutes of this shared machine's load.
        String otherClasses = System.getProperty("cold.other.classes");
        String otherClassPath = otherClasses == null ? null : Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).endsWith(Path.of("target", "classes")) ? otherClasses : entry)
                .collect(Collectors.joining(File.pathSeparator));
        int otherAnswers = 0;
        for (String mode : List.of("child-notification", "child-validation")) {
            List<Long> times = new ArrayList<>();
            List<Long> otherTimes = new ArrayList<>();
            boolean paired = otherClassPath != null && mode.equals("child-notification");
            for (int i = 0; i < runs; i++) {
                if (paired && i % 2 == 1) {
                    otherTimes.add(runChild(mode, prepared, jvmArgs, null, otherClassPath));
                }
                times.add(runChild(mode, prepared, jvmArgs, null));
                if (paired && i % 2 == 0) {
                    otherTimes.add(runChild(mode, prepared, jvmArgs, null, otherClassPath));
                }
            }
            if (paired) {
                otherAnswers = otherTimes.size();
                List<Long> differences = ColdStartBenchmark.differences(times, otherTimes);
                System.out.printf("RESULT same runs, %s of the classes at %s: median %d ms, all %s; this build minus that one, per run: "
                        + "median %d ms, all %s%n", mode.substring(6), otherClasses, ColdStartBenchmark.median(otherTimes), otherTimes,
                        ColdStartBenchmark.median(differences), differences);
            }
            Path log = dir.resolve(mode + "-classes.log");
            runChild(mode, prepared, jvmArgs, log);
            System.out.printf("RESULT cold receiver, %s (JVM start -> answer): median %d ms, all %s (JVM args: '%s'); classes loaded: %s%n",
                    mode.substring(6), ColdStartBenchmark.median(times), times, jvmArgs, classesPerLibrary(log));
        }
        // A receiver answers 202 also to what it drops: the queued runs prove each cold one accepted the notification.
        // Counted before the warm child, whose 2,200 answers queue runs of their own.
        int queued = h.queue(SyncFunctions.SYNC_QUEUE).getProperties().getApproximateMessagesCount() - queuedBefore - otherAnswers;
        System.out.printf("RESULT sync runs queued by the cold notification answers: %d of %d%n", queued, runs + 1);
        String warm = run(childCommand("child-warm", prepared, jvmArgs, List.of()), prepared.processEnvironment()).lines().filter(l -> l.startsWith("WARM ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("the warm child reported nothing"));
        System.out.printf("RESULT warm receiver (same JVM, after 200 warm-up answers; each answer checks clientState and queues a run on "
                + "Azurite): %s%n", warm.substring(5));
        if (queued < runs + 1) {
            throw new IllegalStateException("a cold receiver dropped the notification");
        }
    }

    private static void runQueuedSync(ConnectorHarness h) {
        for (int round = 0; round < 20 && h.clockedQueue(SyncFunctions.SYNC_QUEUE).size() > 0; round++) {
            h.clock.advance(java.time.Duration.ofSeconds(31));
            for (String request : h.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible()) {
                h.sync.syncWorker(request, new FakeExecutionContext("syncWorker"));
            }
        }
    }

    private static Map<String, Integer> classesPerLibrary(Path log) throws Exception {
        List<ColdStartPhases.ClassLoad> loads = ColdStartPhases.classLoads(log);
        Map<String, Integer> counts = new TreeMap<>();
        LIBRARIES.keySet().forEach(library -> counts.put(library, 0));
        ColdStartPhases.classesPerLibrary(loads).forEach((jar, classes) -> LIBRARIES.forEach((library, jarName) -> {
            if (jar.equals(jarName) || jar.startsWith(jarName + "-")) {
                counts.merge(library, classes, Integer::sum);
            }
        }));
        counts.put("(all)", loads.size());
        // Not a library: reactor's schedulers are initialised by a synchronous SDK call that goes process(..).block().
        counts.put(REACTOR_SCHEDULERS, (int) loads.stream().filter(load -> load.className().startsWith("reactor.core.scheduler.")).count());
        return counts;
    }

    private static long runChild(String mode, Prepared prepared, String jvmArgs, Path classLog) throws Exception {
        return runChild(mode, prepared, jvmArgs, classLog, System.getProperty("java.class.path"));
    }

    private static long runChild(String mode, Prepared prepared, String jvmArgs, Path classLog, String classPath) throws Exception {
        String out = run(childCommand(mode, prepared, jvmArgs, classLog == null ? List.of() : List.of(ColdStartPhases.classLoadLog(classLog)),
                classPath), prepared.processEnvironment());
        for (String line : out.split("\n")) {
            if (line.startsWith("ELAPSED ")) {
                return Long.parseLong(line.substring(8).trim());
            }
        }
        throw new IllegalStateException(mode + " failed: " + out);
    }

    /** A child JVM running {@code mode}: the measured JVM options, then {@code diagnostics} (a class-load log), the fakes' CA. */
    private static List<String> childCommand(String mode, Prepared prepared, String jvmArgs, List<String> diagnostics) {
        return childCommand(mode, prepared, jvmArgs, diagnostics, System.getProperty("java.class.path"));
    }

    private static List<String> childCommand(String mode, Prepared prepared, String jvmArgs, List<String> diagnostics, String classPath) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (!jvmArgs.isBlank()) {
            command.addAll(List.of(jvmArgs.trim().split("\\s+")));
        }
        command.addAll(diagnostics);
        command.addAll(List.of("-D" + TestPki.TRUSTED_CA_PROPERTY + "=" + prepared.ca(), "-cp", classPath,
                ReceiverColdStartBenchmark.class.getName(), mode, prepared.config().toString()));
        return command;
    }

    private static String run(List<String> command, Map<String, String> processEnvironment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(processEnvironment);
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    /** 200 answers to warm up, then 2,000 measured: p50 and p99 of the receiver's answer to a change notification. */
    private static void warm(GraphNotificationFunctions function, String notification) {
        long[] nanos = new long[2000];
        for (int i = -200; i < nanos.length; i++) {
            long t = System.nanoTime();
            FakeHttpResponse response = (FakeHttpResponse) function.notifications(FakeHttpRequest.post(
                    "https://connector.example/api/graph/notifications", notification).header("Content-Type", "application/json"),
                    new FakeExecutionContext("graphNotifications"));
            if (response.getStatusCode() != 202) {
                fail(response);
            }
            if (i >= 0) {
                nanos[i] = System.nanoTime() - t;
            }
        }
        java.util.Arrays.sort(nanos);
        System.out.printf("WARM p50 %.2f ms, p99 %.2f ms, max %.2f ms (n=%d)%n", nanos[nanos.length / 2] / 1e6,
                nanos[(int) (nanos.length * 0.99)] / 1e6, nanos[nanos.length - 1] / 1e6, nanos.length);
    }

    private static void child(String mode, Path configFile) throws Exception {
        JsonNode config = Json.MAPPER.readTree(Files.readString(configFile));
        Map<String, String> env = new HashMap<>();
        config.get("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        Tables tables = Json.MAPPER.treeToValue(config.get("tables"), Tables.class);
        // Production wiring but for the settings, the table names and, for identity-based storage, the route of the storage
        // host names to Azurite (the notification needs no other outbound host).
        List<String> routes = new ArrayList<>();
        config.path("routes").forEach(route -> routes.add(route.asText()));
        HostRouting routing = routes.isEmpty() ? HostRouting.DIRECT : LocalCloudRouting.imported(routes);
        AppContext context = new AppContext(Wiring.production().settings(() -> SettingsReader.read(env)).routing(routing).clock(Clock.systemUTC())
                .tables(tables));
        GraphNotificationFunctions function = context.newFunction(GraphNotificationFunctions.class);
        FakeHttpResponse response;
        if (mode.equals("child-validation")) {
            response = (FakeHttpResponse) function.notifications(FakeHttpRequest.post(
                    "https://connector.example/api/graph/notifications?validationToken=Validation%3A%20Testing", ""),
                    new FakeExecutionContext("graphNotifications"));
            if (response.getStatusCode() != 200 || !"Validation: Testing".equals(response.bodyText())) {
                fail(response);
            }
        } else {
            response = (FakeHttpResponse) function.notifications(FakeHttpRequest.post("https://connector.example/api/graph/notifications",
                    config.get("notification").asText()).header("Content-Type", "application/json"), new FakeExecutionContext("graphNotifications"));
            if (response.getStatusCode() != 202) {
                fail(response);
            }
            if (mode.equals("child-warm")) {
                warm(function, config.get("notification").asText());
            }
        }
        System.out.println("ELAPSED " + (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()));
        System.exit(0);
    }

    private static void fail(FakeHttpResponse response) {
        System.out.println("FAILED " + response.getStatusCode() + " " + response.bodyText());
        System.exit(1);
    }
}
