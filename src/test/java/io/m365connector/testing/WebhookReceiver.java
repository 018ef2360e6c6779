package io.m365connector.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/** A web app's webhook endpoint on loopback: records what it receives and answers scripted statuses (default 204). */
public final class WebhookReceiver implements AutoCloseable {
    public record Received(Map<String, String> headers, String body) {
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Deque<Answer> answers = new ArrayDeque<>();

    /** A scripted answer: its status, when not null its Retry-After, and how long it is held before it is sent. */
    private record Answer(int status, String retryAfter, Duration delay) {
    }

    public WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("no local port for the webhook receiver", e);
        }
        server.createContext("/hooks/m365", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, v.get(0)));
                received.add(new Received(headers, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            }
            Answer answer;
            synchronized (answers) {
                answer = answers.isEmpty() ? new Answer(204, null, Duration.ZERO) : answers.poll();
            }
            hold(answer.delay());
            if (answer.retryAfter() != null) {
                exchange.getResponseHeaders().add("Retry-After", answer.retryAfter());
            }
            exchange.sendResponseHeaders(answer.status(), -1);
            exchange.close();
        });
        server.setExecutor(Executors.newCachedThreadPool()); // a held answer does not hold up the next delivery
        server.start();
    }

    /** A receiver that answers late: this thread really waits, since the sender's timeout is a socket's. */
    private static void hold(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/m365";
    }

    public void answerNext(int status) {
        answerNext(status, null);
    }

    /** The next delivery is answered {@code status} with this {@code Retry-After} value. */
    public void answerNext(int status, String retryAfter) {
        synchronized (answers) {
            answers.add(new Answer(status, retryAfter, Duration.ZERO));
        }
    }

    /** The next delivery is answered {@code status}, but only after {@code delay}: a web app that hangs. */
    public void answerNextAfter(Duration delay, int status) {
        synchronized (answers) {
            answers.add(new Answer(status, null, delay));
        }
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /**
     * What it received, each body checked against the schema docs/openapi.yaml documents for its event type: for tests
     * whose deliveries the connector made from real events (not scripted envelopes).
     */
    public List<Received> documented() {
        List<Received> all = received();
        all.forEach(r -> WebhookSchemas.assertDocumented(r.body()));
        return all;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
