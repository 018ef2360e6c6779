package io.m365connector.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.app.AppContext;
import io.m365connector.app.Wiring;
import io.m365connector.app.Tables;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.functions.ActionFunctions;
import io.m365connector.platform.Json;
import io.m365connector.platform.SettingsReader;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cold start: a fresh JVM's first completed send through the whole stack (Table read, decrypt,
 * token from the stored MSAL cache, Graph draft + send) against a fresh JVM's first bare JDK
 * HttpClient call (TLS included) to the same fake Graph. Both measured from JVM start. The parent
 * runs Azurite and the fakes and spawns the children; the median of {@code runs} pairs is reported.
 *
 * <p>Run: {@code mvn -Pbench -DskipTests -Dbench.class=io.m365connector.bench.ColdStartBenchmark -Dbench.args="7" verify}
 */
public final class ColdStartBenchmark {
    private static final String MAIL = "{\"to\":[\"cand@fabrikam.com\"],\"subject\":\"cold\",\"body\":\"hello\"}";

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].startsWith("child-")) {
            child(args[0], Path.of(args[1]));
            return;
        }
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        String jvmArgs = System.getProperty("cold.jvm", "");
        ConnectorHarness h = new ConnectorHarness();
        ConnectorHarness.Connected c = h.connect(NationalCloud.GLOBAL, "\"mail\"");
        Path dir = Files.createTempDirectory("coldstart");
        Path ca = TestPki.shared().writeCaCertificate(dir.resolve("ca.der"));
        ObjectNode config = Json.MAPPER.createObjectNode();
        config.set("env", Json.MAPPER.valueToTree(h.env));
        config.set("tables", Json.MAPPER.valueToTree(h.tables));
        ObjectNode routes = config.putObject("routes");
        for (String host : List.of("login.microsoftonline.com", "graph.microsoft.com")) {
            routes.put(host, h.routing.portFor(host));
        }
        config.put("connectionId", c.connectionId());
        config.put("graphPort", h.routing.portFor("graph.microsoft.com"));
        config.put("token", h.context.broker().tokenFor(c.connectionId(), Set.of("Mail.Send", "Mail.ReadWrite")).value());
        Path file = Files.writeString(dir.resolve("config.json"), config.toString());

        List<Long> send = new ArrayList<>();
        List<Long> bare = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            bare.add(runChild("child-bare", file, ca, jvmArgs));
            send.add(runChild("child-send", file, ca, jvmArgs));
        }
        long sendMedian = median(send);
        long bareMedian = median(bare);
        System.out.printf("RESULT cold first send (JVM start -> 202): median %d ms, all %s%n", sendMedian, send);
        System.out.printf("RESULT cold bare JDK HttpClient call (JVM start -> response): median %d ms, all %s%n", bareMedian, bare);
        System.out.printf("RESULT ratio %.2f (JVM args: '%s')%n", sendMedian / (double) bareMedian, jvmArgs);
        h.close();
        System.exit(0);
    }

    private static long runChild(String mode, Path config, Path ca, String jvmArgs) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (!jvmArgs.isBlank()) {
            command.addAll(List.of(jvmArgs.trim().split("\\s+")));
        }
        command.addAll(List.of("-D" + TestPki.TRUSTED_CA_PROPERTY + "=" + ca, "-cp", System.getProperty("java.class.path"),
                ColdStartBenchmark.class.getName(), mode, config.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        out.lines().filter(l -> l.startsWith("PHASE")).forEach(l -> System.out.println(mode + " " + l));
        for (String line : out.split("\n")) {
            if (line.startsWith("ELAPSED ")) {
                return Long.parseLong(line.substring(8).trim());
            }
        }
        throw new IllegalStateException(mode + " failed: " + out);
    }

    private static void child(String mode, Path configFile) throws Exception {
        mark("main");
        JsonNode config = Json.MAPPER.readTree(Files.readString(configFile));
        if (mode.equals("child-bare")) {
            // The fake Graph tells clouds apart by Host; the JDK client may set it only when allowed.
            System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
            HttpClient client = HttpClient.newBuilder().sslContext(TestPki.shared().clientContext()).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + config.get("graphPort").asInt()
                            + "/v1.0/me/sendMail")).header("Host", "graph.microsoft.com").header("Authorization", "Bearer " + config.get("token").asText())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"message\":{\"subject\":\"bare\",\"toRecipients\":[{\"emailAddress\":{\"address\":\"a@b.com\"}}]}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            report(response.statusCode());
            return;
        }
        Map<String, String> env = new HashMap<>();
        config.get("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        LocalCloudRouting routing = new LocalCloudRouting();
        config.get("routes").fields().forEachRemaining(e -> routing.route(e.getKey(), e.getValue().asInt()));
        Tables tables = Json.MAPPER.treeToValue(config.get("tables"), Tables.class);
        AppContext context = new AppContext(Wiring.production().settings(() -> SettingsReader.read(env)).routing(routing).clock(Clock.systemUTC()).tables(tables));
        String id = config.get("connectionId").asText();
        // As the Functions worker does: ask for the function instance, then invoke it.
        ActionFunctions function = context.newFunction(ActionFunctions.class);
        mark("config+context");
        context.connections().find(id);
        mark("first table read");
        context.broker().tokenFor(id, Set.of("Mail.Send", "Mail.ReadWrite"));
        mark("token (decrypt + MSAL)");
        FakeHttpResponse response = (FakeHttpResponse) function.sendMail(
                FakeHttpRequest.post("https://x/api/connections/" + id + "/mail", MAIL).header("Content-Type", "application/json"),
                id, new FakeExecutionContext("sendMail"));
        mark("send (Graph SDK draft + send)");
        report(response.getStatusCode());
    }

    private static void mark(String phase) {
        if (Boolean.getBoolean("cold.phases")) {
            System.out.println("PHASE " + phase + " at " + (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) + " ms");
        }
    }

    private static void report(int status) {
        long elapsed = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        if (status >= 300) {
            System.out.println("FAILED status " + status);
            System.exit(1);
        }
        System.out.println("ELAPSED " + elapsed);
        System.exit(0);
    }

    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(Long::compare);
        return sorted.get(sorted.size() / 2);
    }
}
