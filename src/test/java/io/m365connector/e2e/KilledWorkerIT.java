package io.m365connector.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.devhost.ChildFunctionHost;
import io.m365connector.graph.GraphRetry;
import io.m365connector.idempotency.Idempotency;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.Ports;
import io.m365connector.testing.TestPki;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The function app in a process of its own (production composition root, served like the Functions
 * host serves it), killed with SIGKILL in the middle of keyed sends under load, then started again;
 * every key without a final answer is retried with the same key until it settles. Graph (the fake,
 * in this JVM) answers every send slowly, so kills land while sends are inside Graph: after Graph
 * accepted a mail and before the process saw the answer, the hole the exactly-once promise must
 * close. Counted at the fake Graph: each key delivered at most once, each 202 delivered exactly once.
 */
class KilledWorkerIT {
    private static final int KEYS = 60;
    private static final int CONCURRENCY = 6;
    private static final int KILLS = 3;
    private static final ConnectorHarness HARNESS = new ConnectorHarness(env -> env.put("OUTBOUND_TIMEOUT_SECONDS", "2"), null);
    private static final String FUNCTION_KEY = "child-function-key-" + UUID.randomUUID();
    /** Each restart runs the child's clock this much further ahead: the dead one's leases have run out. */
    private static final long PAST_THE_LEASE = Idempotency.leaseFor(Duration.ofSeconds(2), GraphRetry.BUDGET).plusSeconds(1).toSeconds();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Process child;
    private int port;

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @Test
    void whenTheWorkerIsKilledDuringKeyedSendsThenEveryKeyIsDeliveredAtMostOnceAndEvery202ExactlyOnce() throws Exception {
        ConnectorHarness.Connected user = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        String upn = user.user().userPrincipalName();
        HARNESS.graph.setLatency(Duration.ofMillis(400)); // carried out at once, answered 400 ms later
        Map<String, String> answers = new ConcurrentHashMap<>(); // key -> final answer (202 or a final problem code)
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            keys.add(UUID.randomUUID().toString());
        }
        try {
            long offset = 0;
            for (int round = 0; round <= KILLS && answers.size() < KEYS; round++) {
                start(offset);
                List<String> open = keys.stream().filter(k -> !answers.containsKey(k)).toList();
                sendAll(user.connectionId(), open, answers, round < KILLS);
                child.destroyForcibly().waitFor(20, TimeUnit.SECONDS); // SIGKILL: no shutdown hook, no finally
                offset += PAST_THE_LEASE;
            }
            start(offset);
            for (int attempt = 0; attempt < 5 && answers.size() < KEYS; attempt++) {
                sendAll(user.connectionId(), keys.stream().filter(k -> !answers.containsKey(k)).toList(), answers, false);
            }
        } finally {
            HARNESS.graph.setLatency(Duration.ZERO);
            if (child != null) {
                child.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        }

        assertEquals(KEYS, answers.size(), "every key settled: " + answers);
        int accepted = 0;
        for (String key : keys) {
            long delivered = HARNESS.graph.sentMail(upn).stream().filter(m -> m.message().path("subject").asText().equals(subject(key))).count();
            assertTrue(delivered <= 1, key + " delivered " + delivered + " times");
            if (answers.get(key).equals("202")) {
                accepted++;
                assertEquals(1, delivered, key + " answered 202 but delivered " + delivered + " times");
            } else {
                assertEquals("delivery_unconfirmed", answers.get(key), key + ": the only other final answer");
            }
        }
        assertTrue(accepted > 0, "some sends went through: " + answers);
        System.out.println("KILLED WORKER: " + KEYS + " keys, " + KILLS + " kills, " + accepted + " answered 202, "
                + (KEYS - accepted) + " delivery_unconfirmed");
    }

    /**
     * Sends each key (concurrency {@link #CONCURRENCY}) until it has a final answer or the child is gone;
     * with {@code killMidway} the child is killed once a third of them are under way.
     */
    private void sendAll(String connectionId, List<String> open, Map<String, String> answers, boolean killMidway) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
        AtomicInteger started = new AtomicInteger();
        int sendsBefore = sendsSeenByGraph();
        List<Future<?>> sends = new ArrayList<>();
        for (String key : open) {
            sends.add(pool.submit(() -> {
                if (killMidway && started.incrementAndGet() == Math.max(CONCURRENCY, open.size() / 3)) {
                    awaitSendsInGraph(sendsBefore + CONCURRENCY / 2);
                    child.destroyForcibly(); // while those sends are carried out but not yet answered
                }
                send(connectionId, key, answers);
                return null;
            }));
        }
        for (Future<?> send : sends) {
            send.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
    }

    /** One keyed send; a final answer is recorded, anything else (no answer, 409 in progress, 503) leaves the key open. */
    private void send(String connectionId, String key, Map<String, String> answers) {
        // A third of the keys each: sendMail kept in Sent Items (looked for there afterwards), sendMail without a copy (nothing
        // to look at), and attachments over one request (through a draft, looked at afterwards).
        String extra = switch (Math.floorMod(key.hashCode(), 3)) {
            case 0 -> ",\"saveToSentItems\":false";
            case 1 -> "";
            default -> ",\"attachments\":" + DRAFTED_ATTACHMENTS;
        };
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/connections/" + connectionId + "/mail"))
                .header("x-functions-key", FUNCTION_KEY).header("Content-Type", "application/json").header("Idempotency-Key", key)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("{\"to\":[\"candidate@fabrikam.com\"],\"subject\":\"" + subject(key)
                        + "\",\"body\":\"Hello\"" + extra + "}"))
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 202) {
                answers.put(key, "202");
            } else if (response.statusCode() == 502 && response.body().contains("delivery_unconfirmed")) {
                answers.put(key, "delivery_unconfirmed");
            } else {
                assertTrue(response.statusCode() == 409 || response.statusCode() == 503, "only 'in progress' or 'unavailable' leave a key open: "
                        + response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            // the process died under this request: no answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Two files of 1.5 MB: more than one request carries, so the mail goes through a draft. */
    private static final String DRAFTED_ATTACHMENTS = "[{\"name\":\"one.bin\",\"contentBase64\":\""
            + Base64.getEncoder().encodeToString(new byte[1_500_000]) + "\"},{\"name\":\"two.bin\",\"contentBase64\":\""
            + Base64.getEncoder().encodeToString(new byte[1_500_000]) + "\"}]";

    private static String subject(String key) {
        return "killed worker " + key;
    }

    private void start(long clockOffsetSeconds) throws Exception {
        port = Ports.free();
        Path dir = Files.createDirectories(Path.of("target", "killed-worker"));
        Path routes = Files.write(dir.resolve("routes.txt"), HARNESS.routing.export());
        Path ca = TestPki.shared().writeCaCertificate(dir.resolve("ca.der"));
        String prefix = HARNESS.tables.connections().substring(0, HARNESS.tables.connections().length() - "connections".length());
        Properties properties = ChildFunctionHost.properties(port, FUNCTION_KEY, prefix, clockOffsetSeconds, routes, HARNESS.env);
        Path config = dir.resolve("child.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            properties.store(out, "KilledWorkerIT child");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        child = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-D" + TestPki.TRUSTED_CA_PROPERTY + "=" + ca,
                "-cp", System.getProperty("java.class.path"), ChildFunctionHost.class.getName(), config.toString())
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        Path log = dir.resolve("child-" + clockOffsetSeconds + ".log");
        String line;
        while ((line = out.readLine()) != null) {
            Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            if (line.startsWith("READY")) {
                drain(out, log);
                return;
            }
        }
        throw new IllegalStateException("the child function host did not start; see " + log);
    }

    private static void drain(BufferedReader out, Path log) {
        Thread drainer = new Thread(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                }
            } catch (IOException ignored) {
                // the child was killed
            }
        });
        drainer.setDaemon(true);
        drainer.start();
    }

    /** Sends (sendMail and draft sends) the fake Graph has received so far. */
    private static int sendsSeenByGraph() {
        return HARNESS.graph.requests("POST", "/me/(sendMail|messages/[^/]+/send)").size();
    }

    /** Waits (a condition, not a time) until Graph has received {@code count} sends in all. */
    private static void awaitSendsInGraph(int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (sendsSeenByGraph() < count && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
