package io.m365connector.testing.graph;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * Where the fake Graph POSTs what Graph would POST to a subscriber: validation requests
 * ({@code ?validationToken=...}, {@code text/plain; charset=utf-8}, empty body) and change and lifecycle
 * notifications ({@code application/json; charset=utf-8}). A test plugs in the connector's receiver
 * in-process, or {@link #overHttp} to reach a local server.
 *
 * <p>Time is judged on the fake's clock <i>and</i> the wall clock, whichever says longer: an endpoint that
 * advances the test's {@code MutableClock} by 5 s while answering is a 5 s answer (too slow for a first
 * delivery, which must be answered within 3 s).
 */
@FunctionalInterface
public interface NotificationEndpoint {
    /**
     * One POST.
     *
     * @param url the full URL, query string included (for validation, {@code validationToken} URL-encoded)
     * @param contentType the request's Content-Type
     * @param body the request body (empty for validation)
     * @param query the URL's query parameters, decoded (the subscriber's own ones included, as Graph keeps them)
     * @return the answer; throwing counts as no answer (a timeout or a refused connection)
     */
    Response deliver(String url, String contentType, String body, Map<String, String> query) throws Exception;

    /** An HTTP answer: status, Content-Type (may be null) and body (may be empty). */
    record Response(int status, String contentType, String body) {
        public Response {
            body = body == null ? "" : body;
        }

        /** 200 text/plain with this body: the right answer to a validation request when it is the decoded token. */
        public static Response text(String body) {
            return new Response(200, "text/plain; charset=utf-8", body);
        }

        public static Response status(int status) {
            return new Response(status, null, "");
        }
    }

    /** An endpoint nobody listens on: every POST fails, so every subscription creation fails validation. */
    static NotificationEndpoint unreachable() {
        return (url, contentType, body, query) -> {
            throw new IOException("no notification endpoint is plugged into the fake Graph");
        };
    }

    /** POSTs over HTTP with {@code client}; {@code rewrite} maps the subscriber's https URL to the local server's. */
    static NotificationEndpoint overHttp(OkHttpClient client, UnaryOperator<String> rewrite) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(rewrite, "rewrite");
        return (url, contentType, body, query) -> {
            Request request = new Request.Builder().url(rewrite.apply(url))
                    .post(RequestBody.create(body, MediaType.get(contentType))).build();
            try (okhttp3.Response response = client.newCall(request).execute()) {
                String text = response.body() == null ? "" : response.body().string();
                return new Response(response.code(), response.header("Content-Type"), text);
            }
        };
    }
}
