package io.m365connector.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.functions.HttpMethod;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.app.AppContext;
import io.m365connector.app.ContextParts;
import io.m365connector.app.Wiring;
import io.m365connector.app.Tables;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.functions.ActionFunctions;
import io.m365connector.functions.ReadingFunctions;
import io.m365connector.functions.SchedulingFunctions;
import io.m365connector.functions.SyncFunctions;
import io.m365connector.platform.Json;
import io.m365connector.platform.SettingsReader;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.sync.SyncRequest;
import io.m365connector.sync.SyncResource;
import io.m365connector.testing.FakeHttpRequest;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.LocalCloudRouting;
import io.m365connector.testing.TestPki;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cold start: a fresh JVM's first completed send through the whole stack (Table read, decrypt,
 * token from the stored MSAL cache, Graph sendMail) against a fresh JVM's first bare JDK
 * HttpClient call (TLS included) to the same fake Graph. Both measured from JVM start. The parent
 * runs Azurite and the fakes and spawns the children; the median of {@code runs} pairs is reported.
 *
 * <p>Run: {@code mvn -Pbench -DskipTests -Dbench.class=io.m365connector.bench.ColdStartBenchmark -Dbench.args="7" verify}.
 * Options (in {@code -Dbench.jvm}): {@code -Dcold.jvm="..."} JVM options of both children (separate several with {@code ;}, as {@code -Dbench.jvm} splits at spaces);
 * {@code -Dcold.classpath=packaged} runs the children on the packaged app's jars ({@link PackagedClassPath}) instead of
 * the build's class directories; {@code -Dcold.cds=dynamic} (needs the packaged class path) gives the measured child a
 * dynamic AppCDS archive from a training run, {@code -Dcold.cds=static} a static one, {@code -Dcold.cds=aot} a JDK 25 AOT cache (with {@code -Dcold.java});
 * {@code -Dcold.cds.bare=true} the bare child one too;
 * {@code -Dcold.java=...} runs the children on another JDK's {@code java};
 * {@code -Dcold.phases=true} prints phase marks and, from one more run of each child, the JVM's class-load log per
 * library and its counters ({@link ColdStartPhases});
 * {@code -Dcold.storage=identity} gives the send child identity-based storage as the infra template deploys it (an HTTPS
 * Azurite that checks bearer tokens, the platform's identity endpoint), {@code -Dcold.storage=identity-azure-identity}
 * the same with the storage token from azure-identity (as before the platform identity credential); see
 * {@link ReceiverColdStartBenchmark.ChildStorage};
 * {@code -Dcold.other.app=<dir>} (with the packaged class path) also runs the first send of another packaged app (an
 * earlier commit's {@code target/azure-functions/m365-connector}) in every iteration, in turns with this one's;
 * {@code -Dcold.sync=true} adds a third child per run, the sync worker's first run of a never-synced inbox (full delta,
 * the change in the feed, a subscription made), reported as its own median.
 */
public final class ColdStartBenchmark {
    private static final Path WORK = Path.of("target", "cold-bench");
    /** Set in the children's process environment (MSAL's managed identity reads it there). */
    private static Map<String, String> childProcessEnvironment = Map.of();
    private static final String MAIL = "{\"to\":[\"cand@fabrikam.com\"],\"subject\":\"cold\",\"body\":\"hello\"}";

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].startsWith("child-")) {
            child(args[0], Path.of(args[1]));
            return;
        }
        try {
            measure(args);
        } catch (Exception | Error e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void measure(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        String jvmArgs = System.getProperty("cold.jvm", "");
        String storage = System.getProperty("cold.storage", "connection-string");
        ConnectorHarness h = storage.equals("connection-string") ? new ConnectorHarness()
                : new ConnectorHarness(env -> env.put("AzureWebJobsStorage", Azurite.secured().connectionString()), null);
        ReceiverColdStartBenchmark.ChildStorage childStorage = storage.equals("connection-string")
                ? ReceiverColdStartBenchmark.ChildStorage.CONNECTION_STRING
                : ReceiverColdStartBenchmark.ChildStorage.identityBased(h, Azurite.secured(), storage.equals("identity-azure-identity"));
        childProcessEnvironment = childStorage.processEnvironment();
        ConnectorHarness.Connected c = h.connect(NationalCloud.GLOBAL, "\"mail\"");
        Path dir = Files.createTempDirectory("coldstart");
        Path ca = TestPki.shared().writeCaCertificate(dir.resolve("ca.der"));
        Path file = writeChildConfig(h, c, childStorage, dir);
        boolean syncs = Boolean.getBoolean("cold.sync");
        List<String> syncUsers = syncs ? addSyncConnections(h, file, runs) : List.of();

        String classPath = System.getProperty("cold.classpath", "build").equals("packaged")
                ? PackagedClassPath.build(Path.of(System.getProperty("cold.app", "target/azure-functions/m365-connector")),
                        Path.of("target", "test-classes"), WORK.resolve("bench-tests.jar"), System.getProperty("java.class.path"))
                : System.getProperty("java.class.path");
        Files.createDirectories(WORK);
        Map<String, List<String>> sharing = classDataSharing(file, ca, jvmArgs, classPath);
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        // With an archive, the same iteration also runs each child without it: the comparison then holds under the
        // same load, which other sessions on this shared machine change from minute to minute.
        boolean sendArchived = !sharing.get("child-send").isEmpty();
        boolean bareArchived = !sharing.get("child-bare").isEmpty();
        List<Long> send = new ArrayList<>();
        List<Long> bare = new ArrayList<>();
        List<Long> sendPlain = new ArrayList<>();
        List<Long> barePlain = new ArrayList<>();
        List<Long> sync = new ArrayList<>();
        // Another build's packaged app (a worktree of an earlier commit): its first send runs beside this one's in every
        // iteration, in turns, so the two medians come from the same minutes of this shared machine's load.
        String otherApp = System.getProperty("cold.other.app");
        String otherClassPath = otherApp == null ? null : PackagedClassPath.build(Path.of(otherApp), Path.of("target", "test-classes"),
                WORK.resolve("bench-tests.jar"), System.getProperty("java.class.path"));
        List<Long> otherSend = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            if (otherClassPath != null && i % 2 == 1) {
                otherSend.add(runChild("child-send", file, ca, jvmArgs, otherClassPath, List.of()));
            }
            if (syncs) {
                sync.add(runChild("child-sync", file, ca, jvmArgs, classPath, List.of("-Dcold.sync.index=" + i)));
            }
            bare.add(runChild("child-bare", file, ca, jvmArgs, classPath, sharing.get("child-bare")));
            send.add(runChild("child-send", file, ca, jvmArgs, classPath, sharing.get("child-send")));
            if (otherClassPath != null && i % 2 == 0) {
                otherSend.add(runChild("child-send", file, ca, jvmArgs, otherClassPath, List.of()));
            }
            if (bareArchived) {
                barePlain.add(runChild("child-bare", file, ca, jvmArgs, classPath, List.of()));
            }
            if (sendArchived) {
                sendPlain.add(runChild("child-send", file, ca, jvmArgs, classPath, List.of()));
            }
        }
        String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
        long sendMedian = median(send);
        long bareMedian = median(bare);
        System.out.printf("RESULT cold first send (JVM start -> 202): median %d ms, all %s%n", sendMedian, send);
        System.out.printf("RESULT cold bare JDK HttpClient call (JVM start -> response): median %d ms, all %s%n", bareMedian, bare);
        System.out.printf("RESULT ratio %.2f (JVM args: '%s'; class path: %s; CDS: send %s, bare %s)%n", sendMedian / (double) bareMedian, jvmArgs,
                System.getProperty("cold.classpath", "build"), describe(sharing.get("child-send")), describe(sharing.get("child-bare")));
        if (sendArchived) {
            System.out.printf("RESULT same runs, send without the archive: median %d ms, all %s; ratio to the bare call above %.2f%n",
                    median(sendPlain), sendPlain, median(sendPlain) / (double) bareMedian);
        }
        if (bareArchived) {
            System.out.printf("RESULT same runs, bare call with the JDK default archive only: median %d ms, all %s; send (archived) / this %.2f%n",
                    median(barePlain), barePlain, sendMedian / (double) median(barePlain));
        }
        if (syncs) {
            System.out.printf("RESULT cold first sync run of an inbox (JVM start -> delta read, change in the feed, subscription made): "
                    + "median %d ms, all %s; subscriptions made %d of %d%n", median(sync), sync,
                    syncUsers.stream().mapToInt(upn -> h.graph.subscriptions().subscriptions(upn).size()).sum(), runs);
        }
        if (otherClassPath != null) {
            List<Long> differences = differences(send, otherSend);
            System.out.printf("RESULT same runs, first send of the app at %s: median %d ms, all %s; this app minus that one, per run: "
                    + "median %d ms, all %s%n", otherApp, median(otherSend), otherSend, median(differences), differences);
        }
        System.out.printf("RESULT storage of the send child: %s%n", storage);
        System.out.printf("RESULT children's JVM %s; load average (/proc/loadavg) before %s, after %s%n", childJava(), loadBefore, loadAfter);
        // In this (the parent's) JVM, after the timed runs: what a keyed send writes, whatever JIT the children ran.
        KeyedSendWrites.report(h, c.connectionId(), "keyed send", MAIL);
        // The receiver's cold answer has a benchmark of its own: ReceiverColdStartBenchmark (BENCHMARKS.md).
        if (Boolean.getBoolean("cold.phases")) {
            for (String mode : List.of("child-bare", "child-send")) {
                List<String> diagnostics = new ArrayList<>(sharing.get(mode));
                diagnostics.addAll(ColdStartPhases.jvmOptions(WORK, mode));
                runChild(mode, file, ca, jvmArgs, classPath, diagnostics);
                ColdStartPhases.print(WORK, mode);
            }
        }
        h.close();
        System.exit(0);
    }

    /** What a child needs to build the app against the parent's Azurite and fakes: settings, routes, the connection, a token. */
    static Path writeChildConfig(ConnectorHarness h, ConnectorHarness.Connected c, ReceiverColdStartBenchmark.ChildStorage childStorage,
                                 Path dir) throws Exception {
        ObjectNode config = childStorage.childConfig(h, "storageRoutes");
        ObjectNode routes = config.putObject("routes");
        for (String host : List.of("login.microsoftonline.com", "graph.microsoft.com")) {
            routes.put(host, h.routing.portFor(host));
        }
        config.put("connectionId", c.connectionId());
        config.put("graphPort", h.routing.portFor("graph.microsoft.com"));
        config.put("token", ContextParts.of(h.context).broker().tokenFor(c.connectionId(), Set.of("Mail.Send", "Mail.ReadWrite")).value());
        return Files.writeString(dir.resolve("config.json"), config.toString());
    }

    /**
     * Runs {@code child-actions} in a fresh JVM on this JVM's class path with {@code extraJvmOptions}: the first send of a
     * mail, then an event created, read, updated and cancelled, each through its function as the worker calls it. Returns
     * the child's output (a {@code STATUS <action> <code>} line per action).
     */
    static String runActionsChild(Path config, Path ca, List<String> extraJvmOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of(childJava()));
        command.addAll(extraJvmOptions);
        command.addAll(List.of("-D" + TestPki.TRUSTED_CA_PROPERTY + "=" + ca, "-cp", System.getProperty("java.class.path"),
                ColdStartBenchmark.class.getName(), "child-actions", config.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    /**
     * {@code -Dcold.cds=dynamic}: a training run of the measured child writes a dynamic AppCDS archive at exit
     * ({@code -XX:ArchiveClassesAtExit}), the timed runs map it. {@code -Dcold.cds=static}: the training run writes
     * the list of classes it loaded ({@code -XX:DumpLoadedClassList}), {@code -Xshare:dump} turns it into a static
     * archive (JDK and app classes), the timed runs map that one instead of the JDK's default archive. The bare
     * child keeps the JDK's default CDS archive unless {@code -Dcold.cds.bare=true} gives it the same treatment.
     */
    private static Map<String, List<String>> classDataSharing(Path config, Path ca, String jvmArgs, String classPath) throws Exception {
        Map<String, List<String>> options = new HashMap<>(Map.of("child-send", List.of(), "child-bare", List.of()));
        String kind = System.getProperty("cold.cds", "none");
        if (kind.equals("none")) {
            return options;
        }
        List<String> modes = Boolean.getBoolean("cold.cds.bare") ? List.of("child-send", "child-bare") : List.of("child-send");
        for (String mode : modes) {
            Path archive = WORK.resolve(mode + "-" + kind + ".jsa").toAbsolutePath();
            Files.deleteIfExists(archive);
            if (kind.equals("dynamic")) {
                runChild(mode, config, ca, jvmArgs, classPath, List.of("-XX:ArchiveClassesAtExit=" + archive));
            } else if (kind.equals("static")) {
                Path classList = WORK.resolve(mode + ".classlist").toAbsolutePath();
                runChild(mode, config, ca, jvmArgs, classPath, List.of("-XX:DumpLoadedClassList=" + classList));
                // JDK 17.0.15 crashes dumping this app's lambda proxy classes (SIGSEGV in
                // SystemDictionaryShared::adjust_lambda_proxy_class_dictionary, JDK-8274944): leave them out.
                Files.write(classList, Files.readAllLines(classList).stream().filter(l -> !l.startsWith("@lambda-proxy")).toList());
                dumpStatic(classList, archive, jvmArgs, classPath);
            } else if (kind.equals("aot")) {
                // JDK 25+ (JEP 483, JEP 514): one training run writes an AOT cache of loaded and linked classes.
                runChild(mode, config, ca, jvmArgs, classPath, List.of("-XX:AOTCacheOutput=" + archive));
            } else {
                throw new IllegalArgumentException("cold.cds must be none, dynamic, static or aot, was " + kind);
            }
            if (!Files.exists(archive)) {
                throw new IllegalStateException("no archive " + archive + " was written: see " + WORK + "/" + mode + "-last-run.log");
            }
            System.out.printf("RESULT %s archive %s: %d KB%n", mode, archive, Files.size(archive) / 1024);
            options.put(mode, List.of((kind.equals("aot") ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + archive));
        }
        return options;
    }

    private static void dumpStatic(Path classList, Path archive, String jvmArgs, String classPath) throws Exception {
        List<String> command = new ArrayList<>(List.of(childJava()));
        if (!jvmArgs.isBlank()) {
            command.addAll(List.of(jvmArgs.trim().split("[\\s;]+")));
        }
        command.addAll(List.of("-Xshare:dump", "-XX:SharedClassListFile=" + classList, "-XX:SharedArchiveFile=" + archive, "-cp", classPath));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        Files.writeString(WORK.resolve(archive.getFileName() + "-dump.log"), out);
        System.out.println("static dump exit " + p.waitFor());
        reportSkippedClasses("dump", out);
    }

    /** What a dump left out and why, counted: CDS logs one warning per class it cannot archive. */
    private static void reportSkippedClasses(String mode, String out) {
        Map<String, Integer> reasons = new java.util.TreeMap<>();
        out.lines().filter(l -> l.contains("[cds]")).forEach(l -> {
            String reason = l.contains("Signed JAR") ? "in a signed jar" : l.contains("is excluded") ? "its super type or an interface is excluded"
                    : l.contains("Pre JDK 6") ? "class file older than Java 6 (incl. generated reflection accessors)" : l.replaceAll(".*\\[cds\\] ", "");
            reasons.merge(reason.length() > 100 ? reason.substring(0, 100) : reason, 1, Integer::sum);
        });
        reasons.forEach((reason, count) -> System.out.printf("%s CDS not archived: %d classes, %s%n", mode, count, reason));
    }

    /** {@code -Dcold.java=/path/to/bin/java} runs the children on another JDK (the parent and jstat stay on this one). */
    private static String childJava() {
        return System.getProperty("cold.java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static String describe(List<String> sharing) {
        if (sharing.isEmpty()) {
            return "JDK default archive";
        }
        return switch (System.getProperty("cold.cds")) {
            case "static" -> "static AppCDS archive (JDK + app classes)";
            case "aot" -> "AOT cache (JDK 25+: JDK + app classes, loaded and linked)";
            default -> "JDK default + dynamic AppCDS archive";
        };
    }

    private static long runChild(String mode, Path config, Path ca, String jvmArgs, String classPath, List<String> extra) throws Exception {
        List<String> command = new ArrayList<>(List.of(childJava()));
        if (!jvmArgs.isBlank()) {
            command.addAll(List.of(jvmArgs.trim().split("[\\s;]+")));
        }
        command.addAll(extra);
        command.addAll(List.of("-D" + TestPki.TRUSTED_CA_PROPERTY + "=" + ca, "-Dcold.phases=" + Boolean.getBoolean("cold.phases"),
                "-cp", classPath, ColdStartBenchmark.class.getName(), mode, config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(childProcessEnvironment);
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        Files.writeString(WORK.resolve(mode + "-last-run.log"), out);
        out.lines().filter(l -> l.startsWith("PHASE")).forEach(l -> System.out.println(mode + " " + l));
        reportSkippedClasses(mode, out);
        for (String line : out.split("\n")) {
            if (line.startsWith("ELAPSED ")) {
                return Long.parseLong(line.substring(8).trim());
            }
        }
        throw new IllegalStateException(mode + " failed: " + out.lines().filter(l -> !l.contains("[cds]")).toList());
    }

    private static void child(String mode, Path configFile) throws Exception {
        mark("main");
        JsonNode config = Json.MAPPER.readTree(Files.readString(configFile));
        mark("benchmark config read (Jackson)");
        if (mode.equals("child-bare")) {
            // The fake Graph tells clouds apart by Host; the JDK client may set it only when allowed.
            System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
            HttpClient client = HttpClient.newBuilder().sslContext(TestPki.shared().clientContext()).build();
            mark("client + TLS context (CA read)");
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + config.get("graphPort").asInt()
                            + "/v1.0/me/sendMail")).header("Host", "graph.microsoft.com").header("Authorization", "Bearer " + config.get("token").asText())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"message\":{\"subject\":\"bare\",\"toRecipients\":[{\"emailAddress\":{\"address\":\"a@b.com\"}}]}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            long elapsed = sinceStart();
            mark("response (TLS handshake + POST)");
            report(response.statusCode(), elapsed);
            return;
        }
        Map<String, String> env = new HashMap<>();
        config.get("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        List<String> storageRoutes = new ArrayList<>();
        config.path("storageRoutes").forEach(route -> storageRoutes.add(route.asText()));
        LocalCloudRouting routing = LocalCloudRouting.imported(storageRoutes);
        config.get("routes").fields().forEachRemaining(e -> routing.route(e.getKey(), e.getValue().asInt()));
        Tables tables = Json.MAPPER.treeToValue(config.get("tables"), Tables.class);
        AppContext context = new AppContext(Wiring.production().settings(() -> SettingsReader.read(env)).routing(routing).clock(Clock.systemUTC()).tables(tables));
        String id = config.get("connectionId").asText();
        // As the Functions worker does: ask for the function instance, then invoke it.
        if (mode.equals("child-sync")) {
            syncRun(context, config.get("syncConnections").get(Integer.getInteger("cold.sync.index")).asText());
            return;
        }
        ActionFunctions function = context.newFunction(ActionFunctions.class);
        mark("config+context");
        ContextParts.of(context).connections().find(id);
        mark("first table read");
        ContextParts.of(context).broker().tokenFor(id, Set.of("Mail.Send", "Mail.ReadWrite"));
        mark("token (decrypt + MSAL)");
        FakeHttpResponse response = (FakeHttpResponse) function.sendMail(
                FakeHttpRequest.post("https://x/api/connections/" + id + "/mail", MAIL).header("Content-Type", "application/json"),
                id, new FakeExecutionContext("sendMail"));
        long elapsed = sinceStart();
        mark("send (Graph sendMail)");
        if (mode.equals("child-actions")) {
            System.out.println("STATUS send " + response.getStatusCode());
            new SendDone(); // its line in a class-load log separates what the send loaded from what the actions after it did
            eventActions(function, id);
            reads(context.newFunction(ReadingFunctions.class), id);
            syncs(context.newFunction(SyncFunctions.class), id);
            scheduling(context.newFunction(SchedulingFunctions.class), id);
            System.exit(0);
        }
        if (Boolean.getBoolean("cold.phases")) {
            // Set-up cost = first call - second call: what a warm instance pays for the same calls.
            ContextParts.of(context).connections().find(id);
            mark("second table read");
            function.sendMail(FakeHttpRequest.post("https://x/api/connections/" + id + "/mail", MAIL).header("Content-Type", "application/json"),
                    id, new FakeExecutionContext("sendMail"));
            mark("second send");
        }
        report(response.getStatusCode(), elapsed);
    }

    /** An event created, read, updated and cancelled (with an Idempotency-Key where the API takes one), each status printed. */
    private static void eventActions(ActionFunctions function, String id) {
        String when = "\"start\":{\"dateTime\":\"2027-01-05T09:00:00\",\"timeZone\":\"UTC\"},\"end\":{\"dateTime\":\"2027-01-05T10:00:00\",\"timeZone\":\"UTC\"}";
        FakeHttpResponse created = (FakeHttpResponse) function.createEvent(FakeHttpRequest.post("https://x/api/connections/" + id + "/events",
                        "{\"subject\":\"cold\"," + when + ",\"attendees\":[\"cand@fabrikam.com\"]}").header("Content-Type", "application/json")
                .header("Idempotency-Key", "cold-event"), id, new FakeExecutionContext("createEvent"));
        System.out.println("STATUS create " + created.getStatusCode());
        String eventId = Json.parseRequest(created.bodyText()).path("eventId").asText();
        FakeHttpResponse read = (FakeHttpResponse) function.getEvent(FakeHttpRequest.get("https://x/api/connections/" + id + "/events/" + eventId),
                id, eventId, new FakeExecutionContext("getEvent"));
        System.out.println("STATUS get " + read.getStatusCode());
        FakeHttpResponse updated = (FakeHttpResponse) function.updateEvent(FakeHttpRequest.of(HttpMethod.PATCH, "https://x/api/connections/" + id + "/events/"
                + eventId).body("{\"subject\":\"moved\"}").header("Content-Type", "application/json"), id, eventId, new FakeExecutionContext("updateEvent"));
        System.out.println("STATUS update " + updated.getStatusCode());
        FakeHttpResponse cancelled = (FakeHttpResponse) function.cancelEvent(FakeHttpRequest.of(HttpMethod.DELETE, "https://x/api/connections/" + id + "/events/"
                + eventId), id, eventId, new FakeExecutionContext("cancelEvent"));
        System.out.println("STATUS cancel " + cancelled.getStatusCode());
    }

    /** The inbox listed, its newest message read, the calendar viewed: each status printed. */
    private static void reads(ReadingFunctions reading, String id) {
        String base = "https://x/api/connections/" + id;
        FakeHttpResponse listed = (FakeHttpResponse) reading.listMessages(FakeHttpRequest.get(base + "/messages").header("X-Owner-Id", "owner-1"),
                id, new FakeExecutionContext("listMessages"));
        System.out.println("STATUS list-messages " + listed.getStatusCode());
        String messageId = Json.parseRequest(listed.bodyText()).path("messages").path(0).path("id").asText();
        FakeHttpResponse message = (FakeHttpResponse) reading.getMessage(FakeHttpRequest.get(base + "/messages/" + messageId)
                .header("X-Owner-Id", "owner-1"), id, messageId, new FakeExecutionContext("getMessage"));
        System.out.println("STATUS get-message " + message.getStatusCode());
        FakeHttpResponse events = (FakeHttpResponse) reading.listEvents(FakeHttpRequest.get(base
                + "/events?start=2027-01-01T00:00:00&end=2027-02-01T00:00:00").header("X-Owner-Id", "owner-1"), id, new FakeExecutionContext("listEvents"));
        System.out.println("STATUS list-events " + events.getStatusCode());
    }

    /**
     * {@code -Dcold.sync=true}: one more connection per run, each with a message in its inbox and never synced, so that
     * every cold sync child does the same first run (full delta, a subscription made) whatever the runs before it did.
     */
    private static List<String> addSyncConnections(ConnectorHarness h, Path config, int runs) throws Exception {
        h.graph.subscriptions().setEndpoint(h.graphEndpoint()); // validations answered by the parent's receiver
        ObjectNode node = (ObjectNode) Json.MAPPER.readTree(Files.readString(config));
        var ids = node.putArray("syncConnections");
        List<String> users = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            ConnectorHarness.Connected c = h.connect(NationalCloud.GLOBAL, "\"mail_read\"");
            h.graph.mail().addMailbox(c.user().userPrincipalName());
            h.graph.mail().deliverText(c.user().userPrincipalName(), "synced from cold");
            ids.add(c.connectionId());
            users.add(c.user().userPrincipalName());
        }
        Files.writeString(config, node.toString());
        return users;
    }

    /** The sync worker's first run of a connection's inbox, as its queue message asks; the feed must then hold the message. */
    private static void syncRun(AppContext context, String id) {
        SyncFunctions sync = context.newFunction(SyncFunctions.class);
        mark("config+context");
        sync.syncWorker(new SyncRequest(id, SyncResource.INBOX, "connected", Instant.now()).toJson(), new FakeExecutionContext("syncWorker"));
        long elapsed = sinceStart();
        mark("sync run (delta + subscription)");
        FakeHttpResponse changes = (FakeHttpResponse) sync.listChanges(FakeHttpRequest.get("https://x/api/connections/" + id + "/changes")
                .header("X-Owner-Id", "owner-1"), id, new FakeExecutionContext("listChanges"));
        report(changes.bodyText().contains("synced from cold") ? changes.getStatusCode() : 500, elapsed);
    }

    /** The rooms listed, free/busy asked for, meeting times suggested: each status printed. */
    private static void scheduling(SchedulingFunctions scheduling, String id) {
        String base = "https://x/api/connections/" + id;
        String window = "\"start\":{\"dateTime\":\"2027-01-05T08:00:00\",\"timeZone\":\"UTC\"},"
                + "\"end\":{\"dateTime\":\"2027-01-05T12:00:00\",\"timeZone\":\"UTC\"}";
        FakeHttpResponse rooms = (FakeHttpResponse) scheduling.listRooms(FakeHttpRequest.get(base + "/rooms").header("X-Owner-Id", "owner-1"),
                id, new FakeExecutionContext("listRooms"));
        System.out.println("STATUS rooms " + rooms.getStatusCode());
        System.out.println("ROOMS " + rooms.bodyText());
        FakeHttpResponse free = (FakeHttpResponse) scheduling.getAvailability(FakeHttpRequest.post(base + "/availability",
                "{\"schedules\":[\"cand@fabrikam.com\"]," + window + ",\"intervalMinutes\":60}").header("Content-Type", "application/json"),
                id, new FakeExecutionContext("getAvailability"));
        System.out.println("STATUS availability " + free.getStatusCode());
        FakeHttpResponse times = (FakeHttpResponse) scheduling.findMeetingTimes(FakeHttpRequest.post(base + "/meeting-times",
                "{\"attendees\":[\"cand@fabrikam.com\"],\"durationMinutes\":60," + window + "}").header("Content-Type", "application/json"),
                id, new FakeExecutionContext("findMeetingTimes"));
        System.out.println("STATUS meeting-times " + times.getStatusCode());
    }

    /** The inbox and the calendar synced as the sync worker's queue messages ask (delta pages, subscriptions), then the feed read. */
    private static void syncs(SyncFunctions sync, String id) {
        for (SyncResource resource : List.of(SyncResource.INBOX, SyncResource.CALENDAR)) {
            sync.syncWorker(new SyncRequest(id, resource, "connected", Instant.now()).toJson(), new FakeExecutionContext("syncWorker"));
        }
        FakeHttpResponse changes = (FakeHttpResponse) sync.listChanges(FakeHttpRequest.get("https://x/api/connections/" + id + "/changes")
                .header("X-Owner-Id", "owner-1"), id, new FakeExecutionContext("listChanges"));
        System.out.println("STATUS changes " + changes.getStatusCode());
        System.out.println("CHANGES " + changes.bodyText());
    }

    private static void mark(String phase) {
        if (Boolean.getBoolean("cold.phases")) {
            System.out.printf("PHASE %s at %d ms, classes loaded %d, JIT %d ms%n", phase, sinceStart(),
                    ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount(), ManagementFactory.getCompilationMXBean().getTotalCompilationTime());
        }
    }

    private static long sinceStart() {
        return System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
    }

    private static void report(int status, long elapsed) {
        if (status >= 300) {
            System.out.println("FAILED status " + status);
            System.exit(1);
        }
        System.out.println("ELAPSED " + elapsed);
        System.exit(0);
    }

    /** Each run's time minus the other build's in the same iteration. */
    static List<Long> differences(List<Long> times, List<Long> otherTimes) {
        List<Long> differences = new ArrayList<>();
        for (int i = 0; i < times.size(); i++) {
            differences.add(times.get(i) - otherTimes.get(i));
        }
        return differences;
    }

    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(Long::compare);
        return sorted.get(sorted.size() / 2);
    }

    /** Loaded right after a cold child's first send ({@code child-actions}): a mark in its class-load log. */
    static final class SendDone {
    }
}
