package io.m365connector.testing;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/**
 * Wraps the Azure SDK HttpClient and counts the entities Table Storage returns to queries: the
 * measure of "reads only due rows".
 */
public final class CountingHttpClient implements HttpClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient inner;
    private final AtomicInteger entitiesRead = new AtomicInteger();
    private final AtomicInteger queries = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();

    public CountingHttpClient(HttpClient inner) {
        this.inner = inner;
    }

    @Override
    public Mono<HttpResponse> send(HttpRequest request) {
        requests.incrementAndGet();
        boolean query = request.getHttpMethod() == HttpMethod.GET
                && request.getUrl().getQuery() != null && request.getUrl().getQuery().contains("filter=");
        if (!query) {
            return inner.send(request);
        }
        queries.incrementAndGet();
        return inner.send(request).map(HttpResponse::buffer).flatMap(response -> response.getBodyAsString().map(body -> {
            try {
                JsonNode value = MAPPER.readTree(body).get("value");
                if (value != null) {
                    entitiesRead.addAndGet(value.size());
                }
            } catch (Exception ignored) {
                // not a query result
            }
            return response;
        }).defaultIfEmpty(response));
    }

    public int entitiesRead() {
        return entitiesRead.get();
    }

    public int queries() {
        return queries.get();
    }

    /** Every request sent (point reads and writes too). */
    public int requests() {
        return requests.get();
    }

    public void reset() {
        entitiesRead.set(0);
        queries.set(0);
        requests.set(0);
    }
}
