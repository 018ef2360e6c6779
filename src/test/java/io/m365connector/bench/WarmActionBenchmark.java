package io.m365connector.bench;

import io.m365connector.app.ContextParts;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeHttpResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Warm overhead of POST /connections/{id}/mail: the function handler (validation, token from the
 * instance cache, one sendMail keeping the copy in Sent Items) against the same Graph call made directly with OkHttp,
 * both to a zero-latency canned Graph (HTTPS, in this JVM). Reports p50/p99 latency of each and of the
 * difference, and actions per second with {@code threads} callers.
 *
 * <p>Run: {@code mvn -Pbench -DskipTests -Dbench.class=io.m365connector.bench.WarmActionBenchmark -Dbench.args="5000 8" verify}
 */
public final class WarmActionBenchmark {
    private static final String MAIL = "{\"to\":[\"cand@fabrikam.com\"],\"subject\":\"Your interview\",\"body\":{\"contentType\":\"html\",\"content\":\"<p>Hi</p>\"}}";
    private static final String SEND_MAIL = "{\"Message\":{\"subject\":\"Your interview\",\"body\":{\"contentType\":\"html\","
            + "\"content\":\"<p>Hi</p>\"},\"toRecipients\":[{\"emailAddress\":{\"address\":\"cand@fabrikam.com\"}}],"
            + "\"singleValueExtendedProperties\":[{\"id\":\"String {4f8a3d2e-6b1c-4e7a-9d35-0c2b7e8f1a64} Name m365ConnectorSend\","
            + "\"value\":\"0b0e7a8c-5f6e-4a51-9a4e-2b7f3c1d9e80\"}]},\"SaveToSentItems\":true}";
    /** Two files of 1.5 MB: more than one request carries, so the mail goes through a draft. */
    private static final String DRAFTED = MAIL.replace("}}", "},\"attachments\":[" + file("one.bin") + "," + file("two.bin") + "]}");

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        ConnectorHarness h = new ConnectorHarness();
        String id = h.connect(NationalCloud.GLOBAL, "\"mail\"").connectionId();
        String token = ContextParts.of(h.context).broker().tokenFor(id, Set.of("Mail.Send", "Mail.ReadWrite")).value();
        OkHttpClient http = ContextParts.of(h.context).http().okHttp();
        // From here Graph is the canned zero-latency server (the stateful fake would dominate the measurement).
        CannedGraph canned = new CannedGraph();
        h.routing.route("graph.microsoft.com", canned.port());
        http.connectionPool().evictAll();
        Runnable handler = () -> {
            FakeHttpResponse r = h.sendMail(id, null, MAIL);
            if (r.getStatusCode() != 202) {
                throw new IllegalStateException("handler answered " + r.getStatusCode() + ": " + r.bodyText());
            }
        };
        Runnable direct = () -> directSend(http, token);

        for (int i = 0; i < 3000; i++) {
            handler.run();
            direct.run();
        }
        long[] handlerNanos = new long[iterations];
        long[] directNanos = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            long t = System.nanoTime();
            handler.run();
            handlerNanos[i] = System.nanoTime() - t;
            t = System.nanoTime();
            direct.run();
            directNanos[i] = System.nanoTime() - t;
        }
        report("handler", handlerNanos);
        report("direct", directNanos);
        System.out.printf("RESULT added latency: p50 %.3f ms, p99 %.3f ms (handler percentile - direct percentile)%n",
                (pct(handlerNanos, 50) - pct(directNanos, 50)) / 1e6, (pct(handlerNanos, 99) - pct(directNanos, 99)) / 1e6);
        System.out.printf("RESULT throughput with %d threads: handler %.0f actions/s, direct %.0f calls/s%n", threads,
                throughput(handler, threads), throughput(direct, threads));

        long[] keyed = new long[Math.min(iterations, 1000)];
        for (int i = 0; i < keyed.length; i++) {
            long t = System.nanoTime();
            FakeHttpResponse r = h.sendMail(id, UUID.randomUUID().toString(), MAIL);
            keyed[i] = System.nanoTime() - t;
            if (r.getStatusCode() != 202) {
                throw new IllegalStateException(r.bodyText());
            }
        }
        report("handler with Idempotency-Key (Azurite writes)", keyed);
        KeyedSendWrites.report(h, id, "keyed send", MAIL);
        KeyedSendWrites.report(h, id, "keyed send through a draft (attachments over one request)", DRAFTED);
        KeyedSendWrites.report(h, id, "keyed send with saveToSentItems false", MAIL.replace("{\"to\"", "{\"saveToSentItems\":false,\"to\""));
        System.out.printf("RESULT canned Graph received %d sends%n", canned.sends());
        canned.close();
        h.close();
        System.exit(0);
    }

    /** The Graph call the handler makes for this mail: one sendMail keeping the copy in Sent Items. */
    private static void directSend(OkHttpClient http, String token) {
        try {
            Request send = new Request.Builder().url("https://graph.microsoft.com/v1.0/me/sendMail").header("Authorization", "Bearer " + token)
                    .post(RequestBody.create(SEND_MAIL, MediaType.get("application/json"))).build();
            try (Response r = http.newCall(send).execute()) {
                if (r.code() != 202) {
                    throw new IllegalStateException("sendMail answered " + r.code());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String file(String name) {
        return "{\"name\":\"" + name + "\",\"contentBase64\":\"" + Base64.getEncoder().encodeToString(new byte[1_500_000]) + "\"}";
    }

    private static double throughput(Runnable action, int threads) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong done = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        for (int i = 0; i < threads; i++) {
            pool.submit(() -> {
                while (!stop.get()) {
                    action.run();
                    done.incrementAndGet();
                }
            });
        }
        Thread.sleep(2000);
        long start = done.get();
        long t = System.nanoTime();
        Thread.sleep(Duration.ofSeconds(10).toMillis());
        long count = done.get() - start;
        double seconds = (System.nanoTime() - t) / 1e9;
        stop.set(true);
        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.SECONDS);
        return count / seconds;
    }

    private static void report(String name, long[] nanos) {
        System.out.printf("RESULT %s: p50 %.3f ms, p99 %.3f ms, mean %.3f ms (n=%d)%n", name, pct(nanos, 50) / 1e6, pct(nanos, 99) / 1e6,
                Arrays.stream(nanos).average().orElse(0) / 1e6, nanos.length);
    }

    private static double pct(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
