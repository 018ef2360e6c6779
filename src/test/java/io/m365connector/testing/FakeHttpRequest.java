package io.m365connector.testing;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** An HttpRequestMessage as the Functions worker hands it to a function, for calling handlers directly. */
public final class FakeHttpRequest implements HttpRequestMessage<Optional<String>> {
    private final HttpMethod method;
    private final URI uri;
    private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final Map<String, String> query = new LinkedHashMap<>();
    private String body;

    private FakeHttpRequest(HttpMethod method, String uri) {
        this.method = method;
        this.uri = URI.create(uri);
        String rawQuery = this.uri.getRawQuery();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String name = lenientDecode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : lenientDecode(pair.substring(eq + 1));
                query.put(name, value);
            }
        }
    }

    /** As the Functions host (ASP.NET Core) reads query strings: an invalid percent-escape is kept as it is, not an error. */
    private static String lenientDecode(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw.replace('+', ' ');
        }
    }

    public static FakeHttpRequest get(String uri) {
        return new FakeHttpRequest(HttpMethod.GET, uri);
    }

    public static FakeHttpRequest post(String uri, String body) {
        return new FakeHttpRequest(HttpMethod.POST, uri).body(body);
    }

    public static FakeHttpRequest of(HttpMethod method, String uri) {
        return new FakeHttpRequest(method, uri);
    }

    public FakeHttpRequest header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public FakeHttpRequest body(String value) {
        body = value;
        return this;
    }

    @Override
    public URI getUri() {
        return uri;
    }

    @Override
    public HttpMethod getHttpMethod() {
        return method;
    }

    @Override
    public Map<String, String> getHeaders() {
        return headers;
    }

    @Override
    public Map<String, String> getQueryParameters() {
        return query;
    }

    @Override
    public Optional<String> getBody() {
        return Optional.ofNullable(body);
    }

    @Override
    public HttpResponseMessage.Builder createResponseBuilder(HttpStatus status) {
        return new FakeHttpResponse.Builder(status);
    }

    @Override
    public HttpResponseMessage.Builder createResponseBuilder(HttpStatusType status) {
        return new FakeHttpResponse.Builder(status);
    }
}
