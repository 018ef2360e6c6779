package io.m365connector.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.m365connector.platform.Html;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Demo only, not part of the connector's API: shows what the fake Graph received for a connection's user
 * (mail sent, events), so the sample web app can link to it ({@code DEMO_MAILBOX_URL}); and lets a person
 * write to that user ({@code DEMO_NEW_MAIL_URL}): the fake Graph puts the mail in the user's inbox as if it
 * came from outside, and notifies the connector the way Graph does.
 */
final class DemoMailbox implements AutoCloseable {
    private static final Pattern VIEW = Pattern.compile("/mailbox/(con_[0-9a-f]{32})");
    private static final Pattern NEW_MAIL = Pattern.compile("/mailbox/(con_[0-9a-f]{32})/new-mail");
    private static final Pattern ADDRESS = Pattern.compile("[^@\\s<>\"]{1,64}@[^@\\s<>\"]{1,190}");
    private static final int MAX_FORM_BYTES = 16 * 1024;

    /** The fake mailboxes behind the connections. */
    interface Inbox {
        /** The user principal name of the connection's signed-in user, when it has one. */
        Optional<String> userOf(String connectionId);

        /** A received mail in the user's inbox, as if {@code from} had written it. */
        void deliver(String userPrincipalName, String from, String subject, String body);
    }

    private final HttpServer server;
    private final Function<String, String> view;
    private final Inbox inbox;
    private final String afterDelivery;

    /**
     * @param view          HTML of the fake mailbox and calendar of a connection id
     * @param afterDelivery where the browser goes once a mail is delivered (the sample's synced inbox)
     */
    DemoMailbox(Function<String, String> view, Inbox inbox, String afterDelivery) throws IOException {
        this.view = view;
        this.inbox = inbox;
        this.afterDelivery = afterDelivery;
        server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/", exchange -> {
            try (exchange) {
                handle(exchange);
            }
        });
        server.start();
    }

    /** The URL template of the mailbox view, for the sample web app ({connectionId} filled in). */
    String urlTemplate() {
        return origin() + "/mailbox/{connectionId}";
    }

    /** The URL template of the page that writes to the connection's user. */
    String newMailUrlTemplate() {
        return origin() + "/mailbox/{connectionId}/new-mail";
    }

    private String origin() {
        return "http://localhost:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        Matcher viewPath = VIEW.matcher(path);
        Matcher newMailPath = NEW_MAIL.matcher(path);
        if (viewPath.matches() && exchange.getRequestMethod().equals("GET")) {
            send(exchange, 200, view.apply(viewPath.group(1)));
        } else if (newMailPath.matches() && exchange.getRequestMethod().equals("GET")) {
            Optional<String> user = inbox.userOf(newMailPath.group(1));
            send(exchange, user.isPresent() ? 200 : 404, user.map(DemoMailbox::newMailForm).orElseGet(DemoMailbox::noUser));
        } else if (newMailPath.matches() && exchange.getRequestMethod().equals("POST")) {
            deliver(exchange, newMailPath.group(1));
        } else {
            send(exchange, 404, page("Not found", "<p>Nothing here.</p>"));
        }
    }

    private void deliver(HttpExchange exchange, String connectionId) throws IOException {
        Optional<String> user = inbox.userOf(connectionId);
        Map<String, String> form = form(exchange);
        String from = form.getOrDefault("from", "").trim();
        String subject = form.getOrDefault("subject", "").trim();
        if (user.isEmpty()) {
            send(exchange, 404, noUser());
            return;
        }
        if (!ADDRESS.matcher(from).matches() || subject.isEmpty() || subject.length() > 255) {
            send(exchange, 400, page("Not sent", "<p>Give a sender address and a subject of at most 255 characters.</p>"));
            return;
        }
        inbox.deliver(user.get(), from, subject, form.getOrDefault("body", ""));
        exchange.getResponseHeaders().add("Location", afterDelivery);
        exchange.sendResponseHeaders(303, -1);
    }

    private static String newMailForm(String user) {
        return page("Write to " + user, "<p>Demo only: the fake Microsoft Graph puts this mail in the inbox of <strong id=\"recipient\">"
                + Html.escape(user) + "</strong> as if someone had written to them, and notifies the connector the way Graph does. "
                + "The connector syncs the inbox and tells the sample web app, which shows the mail within seconds.</p>"
                + "<form method=\"post\"><p><label>From <input name=\"from\" id=\"from\" value=\"candidate@fabrikam.com\" size=\"40\"></label></p>"
                + "<p><label>Subject <input name=\"subject\" id=\"subject\" value=\"A question about my interview\" size=\"50\"></label></p>"
                + "<p><label>Message <textarea name=\"body\" id=\"body\" rows=\"4\" cols=\"50\">Could we move it to the afternoon?</textarea>"
                + "</label></p><p><button id=\"deliver\">Deliver to the inbox</button></p></form>");
    }

    private static String noUser() {
        return page("No mailbox", "<p>This connection has no signed-in user yet.</p>");
    }

    private static Map<String, String> form(HttpExchange exchange) throws IOException {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(MAX_FORM_BYTES);
        }
        Map<String, String> fields = new HashMap<>();
        for (String pair : new String(bytes, StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                try {
                    fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    // a malformed field is left out, and the form then asks again
                }
            }
        }
        return fields;
    }

    private static void send(HttpExchange exchange, int status, String html) throws IOException {
        byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
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
