package io.m365connector.testing;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpResponseMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A scripted browser for flow tests: follows redirects, keeps the cookies our function host sets,
 * sends requests for the function host to the function handlers (as the Functions host would) and
 * everything else (the fake Entra ID at its real host names) over HTTPS through the route table.
 * It stops at any host listed as the web app, where the flow hands the user back.
 */
public final class TestBrowser {
    private final String functionHost;
    private final BiFunction<FakeHttpRequest, String, HttpResponseMessage> functionHandler;
    private final OkHttpClient http;
    private final List<String> appHosts;
    private final Map<String, String> cookies = new LinkedHashMap<>();
    private final List<String> visited = new ArrayList<>();
    private final List<String> setCookieHeaders = new ArrayList<>();

    /**
     * @param functionHandler called with (request, path) for URLs on {@code functionHost}
     */
    public TestBrowser(String functionHost, BiFunction<FakeHttpRequest, String, HttpResponseMessage> functionHandler,
                       OkHttpClient http, List<String> appHosts) {
        this.functionHost = functionHost;
        this.functionHandler = functionHandler;
        this.http = http;
        this.appHosts = appHosts;
    }

    /** What the browser shows after following redirects. */
    public record Page(String url, int status, String body, Map<String, String> headers) {
        public URI uri() {
            return URI.create(url);
        }
    }

    public Page navigate(String url) {
        return follow(HttpMethod.GET, url, null);
    }

    /** Submits a form (POST, urlencoded) and follows redirects. */
    public Page post(String url, Map<String, String> form) {
        return follow(HttpMethod.POST, url, form);
    }

    /** One request without following redirects. */
    public Page fetch(String url) {
        return once(HttpMethod.GET, url, null);
    }

    private Page follow(HttpMethod method, String url, Map<String, String> form) {
        Page page = once(method, url, form);
        for (int hops = 0; hops < 10 && page.status() >= 300 && page.status() < 400; hops++) {
            String location = page.headers().get("Location");
            URI next = URI.create(page.url()).resolve(location);
            if (appHosts.contains(next.getHost())) {
                visited.add(next.toString());
                return new Page(next.toString(), 0, "", Map.of());
            }
            page = once(HttpMethod.GET, next.toString(), null);
        }
        return page;
    }

    private Page once(HttpMethod method, String url, Map<String, String> form) {
        visited.add(url);
        URI uri = URI.create(url);
        if (functionHost.equals(uri.getHost())) {
            FakeHttpRequest request = FakeHttpRequest.of(method, url);
            if (!cookies.isEmpty()) {
                request.header("Cookie", String.join("; ", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
            }
            if (form != null) {
                request.header("Content-Type", "application/x-www-form-urlencoded");
                StringBuilder body = new StringBuilder();
                form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                        .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
                request.body(body.toString());
            }
            FakeHttpResponse response = (FakeHttpResponse) functionHandler.apply(request, uri.getRawPath());
            String setCookie = response.getHeader("Set-Cookie");
            if (setCookie != null) {
                setCookieHeaders.add(setCookie);
                String pair = setCookie.split(";")[0];
                cookies.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
            }
            return new Page(url, response.getStatusCode(), response.bodyText(), new TreeMap<>(response.headers()));
        }
        Request.Builder request = new Request.Builder().url(url);
        if (form != null) {
            FormBody.Builder body = new FormBody.Builder();
            form.forEach(body::add);
            request.post(body.build());
        }
        try (Response response = http.newCall(request.build()).execute()) {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            response.headers().forEach(h -> headers.put(h.getFirst(), h.getSecond()));
            return new Page(url, response.code(), response.body() == null ? "" : response.body().string(), headers);
        } catch (IOException e) {
            throw new UncheckedIOException("Browser could not load " + uri.getHost() + uri.getPath(), e);
        }
    }

    public Map<String, String> cookies() {
        return cookies;
    }

    public List<String> setCookieHeaders() {
        return setCookieHeaders;
    }

    /** Every URL requested, in order (redirect targets included). */
    public List<String> visited() {
        return visited;
    }

    /** Forgets cookies: a different browser. */
    public void clearCookies() {
        cookies.clear();
    }
}
