package io.m365connector.demo;

import static io.m365connector.platform.Html.escape;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.m365connector.platform.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The sample web app of the demo: its backend holds the function key and calls the connector's API;
 * its pages let a person connect a (fake) Microsoft 365 account, send a test mail, create a test
 * event, book a room ({@link DemoRoomBooking}), add a feature and disconnect. The connection id lives in a cookie of this app.
 */
final class DemoWebApp implements AutoCloseable {
    static final String OWNER = "demo-user-1";

    private final HttpServer server;
    private final String functions;
    private final String functionKey;
    private final Function<String, String> mailboxView;
    private final HttpClient http = HttpClient.newHttpClient();
    private final DemoRoomBooking rooms;

    /**
     * @param mailboxView HTML of the fake Graph's mailbox and calendar for a connection id
     */
    DemoWebApp(int port, String functionsBaseUrl, String functionKey, Function<String, String> mailboxView) throws IOException {
        this.functions = functionsBaseUrl;
        this.functionKey = functionKey;
        this.mailboxView = mailboxView;
        this.rooms = new DemoRoomBooking(functionsBaseUrl, functionKey);
        this.server = HttpServer.create(new InetSocketAddress("localhost", port), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", this::route);
        server.start();
    }

    String url() {
        return "http://localhost:" + server.getAddress().getPort();
    }

    private void route(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            Map<String, String> form = form(ex);
            String connectionId = cookie(ex, "demo_connection");
            switch (ex.getRequestMethod() + " " + path) {
                case "GET /" -> html(ex, 200, home(connectionId));
                case "POST /connect" -> connect(ex, form, connectionId);
                case "GET /connected" -> connected(ex);
                case "POST /mail" -> action(ex, connectionId, "POST", "/mail", "{\"to\":[\"" + form.getOrDefault("to", "candidate@fabrikam.com")
                        + "\"],\"subject\":\"Test mail from the m365-connector demo\",\"body\":{\"contentType\":\"html\",\"content\":\"<p>It works.</p>\"}}");
                case "POST /event" -> action(ex, connectionId, "POST", "/events", "{\"subject\":\"Demo interview\",\"start\":{\"dateTime\":\"2026-12-01T10:00:00\","
                        + "\"timeZone\":\"W. Europe Standard Time\"},\"end\":{\"dateTime\":\"2026-12-01T11:00:00\",\"timeZone\":\"W. Europe Standard Time\"},"
                        + "\"attendees\":[\"candidate@fabrikam.com\"],\"teamsMeeting\":true}");
                case "POST /disconnect" -> action(ex, connectionId, "DELETE", "", null);
                case "GET /rooms" -> html(ex, 200, connectionId == null ? page("No connection", "<p>Connect first.</p>") : rooms.pickRoom(connectionId));
                case "POST /rooms/availability" -> html(ex, 200, rooms.availability(connectionId, user(connectionId), form));
                case "POST /rooms/book" -> html(ex, 200, rooms.book(connectionId, form));
                case "GET /mailbox" -> html(ex, 200, connectionId == null ? page("No connection", "<p>Connect first.</p>") : mailboxView.apply(connectionId));
                default -> html(ex, 404, page("Not found", "<p>Nothing here.</p>"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void connect(HttpExchange ex, Map<String, String> form, String connectionId) throws IOException, InterruptedException {
        StringBuilder features = new StringBuilder();
        for (String f : new String[] {"mail", "calendar", "rooms"}) {
            if (form.containsKey(f)) {
                features.append(features.isEmpty() ? "" : ",").append('"').append(f).append('"');
            }
        }
        String reconnect = "true".equals(form.get("reconnect")) && connectionId != null ? ",\"connectionId\":\"" + connectionId + "\"" : "";
        String body = "{\"ownerId\":\"" + OWNER + "\",\"features\":[" + features + "],\"cloud\":\"" + form.getOrDefault("cloud", "global")
                + "\",\"returnUrl\":\"" + url() + "/connected\"" + reconnect + "}";
        HttpResponse<String> response = call("POST", "/api/connections", body, null);
        if (response.statusCode() != 201) {
            html(ex, response.statusCode(), page("Could not start", "<pre>" + escape(response.body()) + "</pre><p><a href=\"/\">Back</a></p>"));
            return;
        }
        ex.getResponseHeaders().add("Location", Json.MAPPER.readTree(response.body()).get("loginUrl").asText());
        ex.sendResponseHeaders(303, -1);
    }

    private void connected(HttpExchange ex) throws IOException, InterruptedException {
        Map<String, String> query = parse(ex.getRequestURI().getRawQuery());
        String id = query.get("connection_id");
        if (id != null) {
            ex.getResponseHeaders().add("Set-Cookie", "demo_connection=" + id + "; Path=/; HttpOnly; SameSite=Lax");
        }
        ex.getResponseHeaders().add("Location", "/" + (query.containsKey("error") ? "?error=" + query.get("error") : ""));
        ex.sendResponseHeaders(303, -1);
    }

    private void action(HttpExchange ex, String connectionId, String method, String suffix, String body) throws IOException, InterruptedException {
        if (connectionId == null) {
            html(ex, 400, page("No connection", "<p>Connect first.</p><p><a href=\"/\">Back</a></p>"));
            return;
        }
        HttpResponse<String> response = call(method, "/api/connections/" + connectionId + suffix, body, UUID.randomUUID().toString());
        html(ex, 200, page("Result: HTTP " + response.statusCode(), "<pre id=\"result\">" + escape(pretty(response.body()))
                + "</pre><p><a id=\"back\" href=\"/\">Back</a> · <a href=\"/mailbox\">Mailbox and calendar</a></p>"));
    }

    private String home(String connectionId) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder();
        JsonNode status = null;
        if (connectionId != null) {
            HttpResponse<String> r = call("GET", "/api/connections/" + connectionId, null, null);
            if (r.statusCode() == 200) {
                status = Json.MAPPER.readTree(r.body());
            }
        }
        if (status != null) {
            body.append("<h2>Your Microsoft 365 connection</h2><p>Status: <strong id=\"status\">").append(escape(status.get("status").asText()))
                    .append("</strong>").append(status.hasNonNull("user") ? " as <strong id=\"user\">" + escape(status.get("user").get("userPrincipalName").asText()) + "</strong>" : "")
                    .append(" (cloud ").append(escape(status.get("cloud").asText())).append(")</p>")
                    .append("<p>Features: <span id=\"features\">").append(escape(status.get("features").toString())).append("</span></p>")
                    .append("<form method=\"post\" action=\"/mail\"><button id=\"send-mail\">Send test mail</button></form>")
                    .append("<form method=\"post\" action=\"/event\"><button id=\"create-event\">Create test event</button></form>")
                    .append("<form method=\"get\" action=\"/rooms\"><button id=\"book-room\">Book a room</button></form>")
                    .append("<form method=\"post\" action=\"/connect\"><input type=\"hidden\" name=\"reconnect\" value=\"true\">")
                    .append("<input type=\"hidden\" name=\"cloud\" value=\"").append(escape(status.get("cloud").asText())).append("\">")
                    .append("<input type=\"hidden\" name=\"calendar\" value=\"on\"><button id=\"add-calendar\">Add calendar (reconnect)</button></form>")
                    .append("<form method=\"post\" action=\"/disconnect\"><button id=\"disconnect\">Disconnect</button></form>")
                    .append("<p><a id=\"mailbox\" href=\"/mailbox\">See the fake mailbox and calendar</a></p>")
                    .append("<details><summary>Status JSON</summary><pre>").append(escape(pretty(status.toString()))).append("</pre></details><hr>");
        }
        body.append("<h2>Connect Microsoft 365</h2><form method=\"post\" action=\"/connect\">")
                .append("<p><label>Cloud <select name=\"cloud\" id=\"cloud\"><option value=\"global\">Global (and GCC)</option>")
                .append("<option value=\"usgov\">US Government (GCC High)</option><option value=\"usgovdod\">US Government (DoD)</option>")
                .append("<option value=\"china\">China (21Vianet)</option></select></label></p>")
                .append("<p><label><input type=\"checkbox\" name=\"mail\" id=\"feature-mail\" checked> Send mail</label> ")
                .append("<label><input type=\"checkbox\" name=\"calendar\" id=\"feature-calendar\"> Calendar</label> ")
                .append("<label><input type=\"checkbox\" name=\"rooms\" id=\"feature-rooms\"> Rooms and availability</label></p>")
                .append("<p><button id=\"connect\">Connect Microsoft 365</button></p></form>");
        return page("Sample web app", body.toString());
    }

    /** The connected user's address (their own free/busy). */
    private String user(String connectionId) throws IOException, InterruptedException {
        HttpResponse<String> r = call("GET", "/api/connections/" + connectionId, null, null);
        JsonNode status = Json.MAPPER.readTree(r.body());
        return status.path("user").path("userPrincipalName").asText();
    }

    private HttpResponse<String> call(String method, String path, String body, String idempotencyKey) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(functions + path)).header("x-functions-key", functionKey)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (idempotencyKey != null && !method.equals("DELETE")) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String page(String title, String body) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title><style>"
                + "body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
                + "header{background:#1f3b63;color:#fff;padding:.5rem 1rem;border-radius:6px}form{display:inline-block;margin:.25rem}"
                + "button{padding:.4rem .8rem}pre{background:#f3f3f3;padding:.5rem;overflow:auto}</style></head><body>"
                + "<header>Contoso Recruiting (sample web app of the m365-connector demo)</header><h1>" + escape(title) + "</h1>" + body + "</body></html>";
    }

    private static void html(HttpExchange ex, int status, String html) throws IOException {
        byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> form(HttpExchange ex) throws IOException {
        if (!"POST".equals(ex.getRequestMethod())) {
            return Map.of();
        }
        return parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static Map<String, String> parse(String raw) {
        Map<String, String> map = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return map;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                map.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return map;
    }

    private static String cookie(HttpExchange ex, String name) {
        String header = ex.getRequestHeaders().getFirst("Cookie");
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length == 2 && kv[0].equals(name)) {
                return kv[1];
            }
        }
        return null;
    }

    private static String pretty(String json) {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(Json.MAPPER.readTree(json));
        } catch (Exception e) {
            return json;
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
