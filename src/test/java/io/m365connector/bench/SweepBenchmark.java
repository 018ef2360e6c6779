package io.m365connector.bench;

import com.azure.data.tables.TableServiceClient;
import com.azure.storage.queue.QueueClient;
import io.m365connector.app.AzureClients;
import io.m365connector.app.ContextParts;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.TableConnectionStore;
import io.m365connector.functions.MaintenanceFunctions;
import io.m365connector.maintenance.RefreshMessage;
import io.m365connector.maintenance.RefreshSweep;
import io.m365connector.platform.Settings;
import io.m365connector.platform.SettingsReader;
import io.m365connector.platform.Sleeper;
import io.m365connector.platform.StorageWorkQueue;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.CountingHttpClient;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Token maintenance at scale: N due and M not-due connections in Azurite, a fake token endpoint
 * answering after {@code latency}; one sweep, then queue workers at {@code concurrency} (what
 * host.json's batchSize 16 + newBatchThreshold 8 give per instance, times instances). Reports wall
 * time against the ideal N x latency / concurrency, entities the sweep read, and peak heap.
 *
 * <p>Run: {@code mvn -Pbench -Dbench.class=io.m365connector.bench.SweepBenchmark -Dbench.args="2000 20000 100 24 1000" verify}
 */
public final class SweepBenchmark {
    /** Messages one instance processes at once: host.json's queues batchSize (16) + newBatchThreshold (8). */
    static final int CONFIGURED_CONCURRENCY = 24;

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (Throwable e) {
            // Non-daemon threads (Azurite's watcher, pools) would keep a failed run alive forever.
            e.printStackTrace();
            System.exit(2);
        }
    }

    private static void run(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int m = args.length > 1 ? Integer.parseInt(args[1]) : 20000;
        long latencyMs = args.length > 2 ? Long.parseLong(args[2]) : 100;
        int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : CONFIGURED_CONCURRENCY;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 1000;

        ConnectorHarness h = new ConnectorHarness();
        Connection template = ContextParts.of(h.context).connections().find(h.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId()).orElseThrow();
        String cache = ContextParts.of(h.context).sealer().open(template.id(), template.cloud(), template.tokens());
        Instant now = h.clock.instant();

        long setupStart = System.nanoTime();
        create(h, template, cache, m, now, false);
        System.out.printf("setup: %d not-due connections in %d s%n", m, (System.nanoTime() - setupStart) / 1_000_000_000);

        Settings settings = SettingsReader.read(h.env);
        QueueClient queue = AzureClients.queue(settings.storage(), HostingCloud.GLOBAL, () -> null, ContextParts.of(h.context).http().azureHttpClient(),
                Sleeper.REAL, h.tables.queuePrefix() + MaintenanceFunctions.REFRESH_QUEUE);
        queue.createIfNotExists();
        // From here the token endpoint is a canned one with the latency (the stateful fake signs and
        // records every grant, which would measure the fake, not the connector).
        CannedTokenEndpoint tokens = new CannedTokenEndpoint(cache, latencyMs);
        h.routing.route("login.microsoftonline.com", tokens.port());
        ContextParts.of(h.context).http().okHttp().connectionPool().evictAll();

        if (warmup > 0) {
            // An unmeasured round first, as JMH would: the first refreshes of a fresh JVM spend most of
            // their CPU in the JIT compiler (67% of the JVM's samples with async-profiler), which on two
            // cores competes with Azurite and says nothing about the steady state.
            create(h, template, cache, warmup, now, true);
            Round w = round(h, settings, queue, concurrency);
            System.out.printf("warm-up: %d refreshed in %.2f s%n", w.handled, w.wallS);
        }
        create(h, template, cache, n, now, true);
        long grantsBefore = tokens.grants();
        System.gc();
        Map<String, Duration> storageCpuBefore = Azurite.shared().cpuTimes();
        long jvmCpuBefore = jvmCpuNanos();
        Round r = round(h, settings, queue, concurrency);
        double jvmCpuMsPerRefresh = (jvmCpuNanos() - jvmCpuBefore) / 1e6 / n;
        StringBuilder storageCpu = new StringBuilder();
        double storageCpuMsPerRefresh = 0;
        for (var entry : Azurite.shared().cpuTimes().entrySet()) {
            double ms = entry.getValue().minus(storageCpuBefore.getOrDefault(entry.getKey(), Duration.ZERO)).toNanos() / 1e6 / n;
            storageCpuMsPerRefresh += ms;
            storageCpu.append(String.format(" %s %.2f ms", entry.getKey(), ms));
        }
        double idealS = n * latencyMs / 1000.0 / concurrency;
        long refreshed = tokens.grants() - grantsBefore;
        long stillDue = ContextParts.of(h.context).connections().findDue(h.clock.instant(), 50_000).size();

        System.out.printf("RESULT n=%d m=%d latency=%dms concurrency=%d warmup=%d%n", n, m, latencyMs, concurrency, warmup);
        System.out.printf("RESULT sweep: %d enqueued in %d ms, entities read %d (%.3f x N), queries %d%n",
                r.enqueued, r.sweepMs, r.entitiesRead, r.entitiesRead / (double) n, r.queries);
        System.out.printf("RESULT sweep+workers wall %.2f s, ideal %.2f s, ratio %.3f%n", r.wallS, idealS, r.wallS / idealS);
        System.out.printf("RESULT refresh grants %d, failed %d, still due after %d, heap peak %d MB (max %d MB)%n", refreshed,
                r.failed, stillDue, peakHeapMb(), Runtime.getRuntime().maxMemory() / (1024 * 1024));
        // Where the CPU went: on a machine with C cores no run can be faster than N x (CPU per refresh) / C.
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("RESULT CPU per refresh: this JVM %.2f ms (of which the refresh worker's own threads %.2f ms; the rest is"
                + " JIT, GC, the queue host and the canned token endpoint), storage emulator%s%n", jvmCpuMsPerRefresh,
                r.handlerCpuNanos / 1e6 / n, storageCpu);
        System.out.printf("RESULT CPU floor on %d cores: everything %.2f s (wall / floor %.2f), the storage emulator alone %.2f s%n",
                cores, n * (jvmCpuMsPerRefresh + storageCpuMsPerRefresh) / 1000 / cores,
                r.wallS / (n * (jvmCpuMsPerRefresh + storageCpuMsPerRefresh) / 1000 / cores), n * storageCpuMsPerRefresh / 1000 / cores);
        tokens.close();
        h.close();
        System.exit(refreshed == n && stillDue == 0 ? 0 : 1);
    }

    private record Round(int enqueued, long sweepMs, double wallS, long entitiesRead, long queries, int handled, int failed,
            long handlerCpuNanos) {
    }

    /** One timer run: the sweep enqueues while the queue workers already take messages, until the queue is idle. */
    private static Round round(ConnectorHarness h, Settings settings, QueueClient queue, int concurrency) throws Exception {
        CountingHttpClient counting = new CountingHttpClient(ContextParts.of(h.context).http().azureHttpClient());
        TableServiceClient tables = AzureClients.tableService(settings.storage(), HostingCloud.GLOBAL, () -> null, counting, Sleeper.REAL);
        TableConnectionStore countingStore = new TableConnectionStore(tables.getTableClient(h.tables.connections()),
                tables.getTableClient(h.tables.refreshDue()), tables.getTableClient(h.tables.connectionOwners()));
        RefreshSweep sweep = new RefreshSweep(countingStore, new StorageWorkQueue(queue), h.clock, 50_000);
        long start = System.nanoTime();
        try (LocalQueueHost host = new LocalQueueHost(queue, concurrency,
                message -> ContextParts.of(h.context).refreshWorker().handle(RefreshMessage.parse(message)))) {
            Thread drainer = new Thread(() -> {
                try {
                    host.drain(Duration.ofSeconds(3));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            drainer.start();
            RefreshSweep.Result result = sweep.sweep(false);
            long sweepMs = (System.nanoTime() - start) / 1_000_000;
            drainer.join();
            return new Round(result.enqueued(), sweepMs, (host.lastCompletionNanos() - start) / 1e9, counting.entitiesRead(),
                    counting.queries(), host.handled(), host.failed(), host.handlerCpuNanos());
        }
    }

    /** Creates {@code count} connections with real sealed caches, due in the past or in the future. */
    private static void create(ConnectorHarness h, Connection template, String cache, int count, Instant now, boolean due)
            throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        for (int i = 0; i < count; i++) {
            pool.submit(() -> {
                String id = Connection.newId();
                Instant next = due ? now.minusSeconds(ThreadLocalRandom.current().nextLong(1, 3600))
                        : now.plusSeconds(ThreadLocalRandom.current().nextLong(600, 7 * 86400));
                ContextParts.of(h.context).connections().create(Connection.builder(id, template.ownerId(), template.cloud(), now)
                        .status(ConnectionStatus.ACTIVE).account(template.account()).features(template.features())
                        .grantedScopes(template.grantedScopes()).tokens(ContextParts.of(h.context).sealer().seal(id, template.cloud(), cache))
                        .refresh(template.refresh().withNextRefreshDue(next)).build());
            });
        }
        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.MINUTES);
    }

    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static long peakHeapMb() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak / (1024 * 1024);
    }
}
