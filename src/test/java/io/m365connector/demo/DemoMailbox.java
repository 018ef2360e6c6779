package io.m365connector.demo;

import com.sun.net.httpserver.HttpServer;
import io.m365connector.platform.Html;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Demo only: shows what the fake Graph received for a connection's user (mail sent, events), so the
 * sample web app can link to it ({@code DEMO_MAILBOX_URL}). Not part of the connector's API.
 */
final class DemoMailbox implements AutoCloseable {
    private static final Pattern PATH = Pattern.compile("/mailbox/(con_[0-9a-f]{32})");

    private final HttpServer server;

    /** @param view HTML of the fake mailbox and calendar of a connection id */
    DemoMailbox(Function<String, String> view) throws IOException {
        server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/", exchange -> {
            try (exchange) {
                var m = PATH.matcher(exchange.getRequestURI().getPath());
                String html = m.matches() ? view.apply(m.group(1)) : page("Not found", "<p>Nothing here.</p>");
                byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(m.matches() ? 200 : 404, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        });
        server.start();
    }

    /** The URL template the sample web app fills in. */
    String urlTemplate() {
        return "http://localhost:" + server.getAddress().getPort() + "/mailbox/{connectionId}";
    }

    static String page(String title, String body) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + Html.escape(title) + "</title></head><body><h1>"
                + Html.escape(title) + "</h1>" + body + "<p><a href=\"javascript:history.back()\">Back</a></p></body></html>";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
