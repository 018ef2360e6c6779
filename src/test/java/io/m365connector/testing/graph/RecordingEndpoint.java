package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A subscriber's receiver for tests, in-process: answers validation requests correctly (200 text/plain with
 * the decoded token) unless told otherwise, answers notifications 202, and records both. Scripted answers
 * (a status, an exception, a slow answer that moves the test clock) apply to the next POSTs in order.
 */
final class RecordingEndpoint implements NotificationEndpoint {
    /** One POST received. */
    record Received(String url, String contentType, String body, Map<String, String> query) {
        JsonNode json() {
            return GraphJson.parse(body);
        }

        /** The first item of a notification collection. */
        JsonNode first() {
            return json().path("value").path(0);
        }
    }

    private final MutableClock clock;
    private final List<Received> received = new ArrayList<>();
    private final Deque<Function<Received, Response>> script = new ArrayDeque<>();
    private final List<String> refused = new ArrayList<>();

    RecordingEndpoint(MutableClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Response deliver(String url, String contentType, String body, Map<String, String> query) {
        Received r = new Received(url, contentType, body, query);
        received.add(r);
        Function<Received, Response> next = script.poll();
        if (next != null) {
            return next.apply(r);
        }
        String token = query.get("validationToken");
        if (token == null && refused.stream().anyMatch(url::startsWith)) {
            return Response.status(503);
        }
        return token != null ? Response.text(token) : Response.status(202);
    }

    synchronized void answerNext(Function<Received, Response> answer) {
        script.add(answer);
    }

    void answerNextWith(int status) {
        answerNext(r -> Response.status(status));
    }

    void failNext() {
        answerNext(r -> {
            throw new IllegalStateException("receiver down");
        });
    }

    /** The next POST is answered right, but only after {@code delay} on the test clock. */
    void slowNext(Duration delay) {
        answerNext(r -> {
            clock.advance(delay);
            String token = r.query().get("validationToken");
            return token != null ? Response.text(token) : Response.status(202);
        });
    }

    /** Notifications (not validations) to URLs starting with this answer 503 until {@link #accept}. */
    synchronized void refuse(String urlPrefix) {
        refused.add(urlPrefix);
    }

    synchronized void accept(String urlPrefix) {
        refused.remove(urlPrefix);
    }

    synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /** Notifications (not validation requests) received at this URL prefix. */
    synchronized List<Received> notifications(String urlPrefix) {
        return received.stream().filter(r -> r.url().startsWith(urlPrefix) && !r.query().containsKey("validationToken")).toList();
    }

    synchronized void clear() {
        received.clear();
    }
}
