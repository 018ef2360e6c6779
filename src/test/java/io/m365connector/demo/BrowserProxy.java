package io.m365connector.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.Executors;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Lets a real browser reach a fake that answers at a real cloud host name: plain HTTP on loopback in
 * front, HTTPS to the fake (through the route table) behind. The demo points the browser at it instead
 * of, say, https://login.microsoftonline.com. Demo and test scope only.
 */
final class BrowserProxy implements AutoCloseable {
    private static final Set<String> FORWARDED = Set.of("content-type", "accept", "accept-language", "user-agent");

    private final HttpServer server;
    private final String targetHost;
    private final OkHttpClient http;

    BrowserProxy(String bindHost, String targetHost, OkHttpClient routedHttp) throws IOException {
        this.targetHost = targetHost;
        this.http = routedHttp;
        this.server = HttpServer.create(new InetSocketAddress(bindHost, 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", this::forward);
        server.start();
    }

    String origin() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String method = exchange.getRequestMethod();
            Request.Builder request = new Request.Builder().url("https://" + targetHost + exchange.getRequestURI());
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (FORWARDED.contains(name.toLowerCase())) {
                    request.header(name, values.get(0));
                }
            });
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            request.method(method, method.equals("GET") || method.equals("HEAD") ? null
                    : RequestBody.create(body, type == null ? null : MediaType.parse(type)));
            try (Response response = http.newCall(request.build()).execute()) {
                response.headers().forEach(h -> {
                    String name = h.getFirst().toLowerCase();
                    if (name.equals("location") || name.equals("content-type") || name.equals("cache-control")) {
                        exchange.getResponseHeaders().add(h.getFirst(), h.getSecond());
                    }
                });
                byte[] answer = response.body() == null ? new byte[0] : response.body().bytes();
                exchange.sendResponseHeaders(response.code(), answer.length == 0 ? -1 : answer.length);
                if (answer.length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(answer);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
