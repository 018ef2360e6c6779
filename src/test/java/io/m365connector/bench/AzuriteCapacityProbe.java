package io.m365connector.bench;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.TableEntity;
import io.m365connector.app.AzureClients;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.platform.Settings;
import io.m365connector.platform.Sleeper;
import io.m365connector.platform.http.HostRouting;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.testing.Azurite;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The storage ceiling the sweep benchmark runs into: how many simple Table operations per second
 * Azurite serves on this machine ({@code threads} callers, half upserts and half point reads of ~2 KB
 * entities), through the connector's own HTTP stack.
 *
 * <p>Run: {@code mvn -Pbench -DskipTests -Dbench.class=io.m365connector.bench.AzuriteCapacityProbe -Dbench.args="32" verify}
 */
public final class AzuriteCapacityProbe {
    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        OutboundHttp http = new OutboundHttp(new Settings.HttpSettings(Duration.ofSeconds(10), Optional.empty()), HostRouting.DIRECT);
        TableClient table = AzureClients.tableService(new Settings.StorageSettings(Optional.of(Azurite.shared().connectionString()), Optional.empty()),
                HostingCloud.GLOBAL, () -> null, http.azureHttpClient(), Sleeper.REAL).getTableClient("probe");
        table.createTable();
        byte[] blob = new byte[2048];
        AtomicLong ops = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            pool.submit(() -> {
                String pk = UUID.randomUUID().toString();
                while (!stop.get()) {
                    table.upsertEntity(new TableEntity(pk, "r").addProperty("Blob", blob));
                    table.getEntity(pk, "r");
                    ops.addAndGet(2);
                }
            });
        }
        Thread.sleep(3000);
        long start = ops.get();
        long t0 = System.nanoTime();
        Thread.sleep(10_000);
        double perSecond = (ops.get() - start) / ((System.nanoTime() - t0) / 1e9);
        stop.set(true);
        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.SECONDS);
        System.out.printf("RESULT Azurite served %.0f table operations/s with %d callers%n", perSecond, threads);
        System.exit(0);
    }
}
