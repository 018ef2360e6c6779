package io.m365connector.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.functions.SyncFunctions;
import io.m365connector.platform.Json;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.graph.NotificationEndpoint;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The initial sync of a large inbox: for each size, a user whose inbox holds that many messages connects
 * with mail_read, and the sync worker runs (through the function's entry point, queues on the harness
 * clock) until nothing is queued. Reports delta pages, worker runs, the change-feed entries (read back
 * through the API: must equal the size, else the benchmark fails), wall time, and the live heap (after a
 * full GC) after every worker run, minus the live heap before the sync: what the connector holds for the
 * sync, apart from the fake Graph's own mailbox which lives in this JVM too. Bounded memory means that
 * figure does not grow with the inbox: a run reads pages of 100 and at most 50 pages, then queues the rest.
 *
 * <p>Run: {@code mvn -Pbench -DskipTests -Dbench.class=io.m365connector.bench.InitialSyncBenchmark -Dbench.args="1000 10000" verify}
 * (add {@code -Dbench.jvm="-Xmx…"} to prove it with a small heap).
 */
public final class InitialSyncBenchmark {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    public static void main(String[] args) throws Exception {
        int[] sizes = args.length == 0 ? new int[] {1000, 10000} : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        ConnectorHarness h = ConnectorHarness.withClockedQueues(env -> { });
        // Notifications are accepted and dropped: the initial sync must find every message through delta alone.
        h.graph.subscriptions().setEndpoint((url, contentType, body, query) -> NotificationEndpoint.Response.status(202));
        try {
            for (int size : sizes) {
                run(h, size);
            }
        } finally {
            h.close();
        }
        System.exit(0);
    }

    private static void run(ConnectorHarness h, int size) {
        ConnectorHarness.Connected c = h.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        String upn = c.user().userPrincipalName();
        h.graph.mail().addMailbox(upn);
        for (int i = 0; i < size; i++) {
            h.graph.mail().deliver(upn, message(upn, "message " + i));
        }
        int deltaBefore = h.graph.requests("GET", ".*/delta").size();
        long baseline = liveHeap();
        long peakAboveBaseline = 0;
        int runs = 0;
        long[] sampledPeak = {0};
        Thread sampler = new Thread(() -> { // heap in use (live and garbage) while the runs work: an upper bound
            while (!Thread.currentThread().isInterrupted()) {
                sampledPeak[0] = Math.max(sampledPeak[0], MEMORY.getHeapMemoryUsage().getUsed());
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        long start = System.nanoTime();
        for (int round = 0; round < 10_000; round++) {
            List<String> visible = h.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible();
            if (visible.isEmpty()) {
                if (h.clockedQueue(SyncFunctions.SYNC_QUEUE).size() == 0) {
                    break;
                }
                h.clock.advance(Duration.ofSeconds(31));
                continue;
            }
            for (String request : visible) {
                h.sync.syncWorker(request, new FakeExecutionContext("syncWorker"));
                runs++;
                peakAboveBaseline = Math.max(peakAboveBaseline, liveHeap() - baseline);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9; // includes a full GC after every run
        sampler.interrupt();
        int pages = h.graph.requests("GET", ".*/delta").size() - deltaBefore;
        int feed = feedEntries(h, c.connectionId());
        if (feed != size) {
            throw new IllegalStateException("the feed has " + feed + " distinct changes for " + size + " messages");
        }
        System.out.printf("RESULT initial sync of %,d messages: %d delta pages, %d worker runs, %,d feed entries (distinct), %.1f s "
                        + "(with a full GC after each run); live heap above the pre-sync baseline, max after a run: %.1f MiB "
                        + "(baseline %.1f MiB); heap in use sampled every 5 ms, max: %.1f MiB (live and garbage; max heap %.0f MiB)%n", size, pages,
                runs, feed, seconds, peakAboveBaseline / 1048576.0, baseline / 1048576.0, sampledPeak[0] / 1048576.0,
                Runtime.getRuntime().maxMemory() / 1048576.0);
        if (Boolean.getBoolean("sync.histogram")) {
            printHistogram();
        }
    }

    /** The live objects by class (the JVM's GC.class_histogram): the top 12, and the project's own classes: whose memory the figure above is. */
    private static void printHistogram() {
        try {
            Object text = ManagementFactory.getPlatformMBeanServer().invoke(new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram", new Object[] {null}, new String[] {String[].class.getName()});
            List<String> lines = text.toString().lines().toList();
            lines.stream().limit(12).forEach(line -> System.out.println("HISTO " + line));
            lines.stream().skip(12).filter(line -> line.contains("io.m365connector")).limit(20).forEach(line -> System.out.println("HISTO " + line));
        } catch (Exception e) {
            System.out.println("HISTO unavailable: " + e);
        }
    }

    private static int feedEntries(ConnectorHarness h, String connectionId) {
        Set<String> ids = new HashSet<>();
        String cursor = "";
        while (true) {
            JsonNode page = ConnectorHarness.json(h.read(connectionId, "/changes?limit=500" + cursor).bodyText());
            page.path("changes").forEach(change -> ids.add(change.path("id").asText()));
            if (!page.path("more").asBoolean()) {
                return ids.size();
            }
            cursor = "&cursor=" + page.path("nextCursor").asText();
        }
    }

    private static long liveHeap() {
        System.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    private static ObjectNode message(String upn, String subject) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.putObject("from").putObject("emailAddress").put("address", "candidate@fabrikam.com");
        message.putArray("toRecipients").addObject().putObject("emailAddress").put("address", upn);
        message.put("subject", subject);
        message.putObject("body").put("contentType", "text").put("content", "Hello, this is a message of a large inbox.");
        return message;
    }
}
