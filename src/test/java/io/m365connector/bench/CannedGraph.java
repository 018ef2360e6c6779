package io.m365connector.bench;

import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A zero-latency stand-in for Graph's draft and send endpoints, cheap enough that a benchmark
 * measures the connector and not the fake (the stateful fake Graph records every request, which is
 * what tests need and what a throughput run cannot afford). HTTPS with the test certificate.
 */
final class CannedGraph implements AutoCloseable {
    private static final byte[] DRAFT = ("{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users('x')/messages/$entity\","
            + "\"id\":\"AAMkAGI2TG93AAA=\",\"isDraft\":true,\"subject\":\"Your interview\"}").getBytes(StandardCharsets.UTF_8);
    private final HttpsServer server;
    private final AtomicLong sends = new AtomicLong();

    CannedGraph() throws Exception {
        server = CannedHttpsServer.create(512, 16);
        server.createContext("/", exchange -> {
            try (exchange; InputStream body = exchange.getRequestBody()) {
                body.readAllBytes();
                String path = exchange.getRequestURI().getPath();
                if (path.endsWith("/send") || path.endsWith("/sendMail")) {
                    sends.incrementAndGet();
                    exchange.sendResponseHeaders(202, -1);
                } else {
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(201, DRAFT.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(DRAFT);
                    }
                }
            } catch (IOException ignored) {
                // client went away
            }
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    long sends() {
        return sends.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
