package io.m365connector.demo;

import static io.m365connector.platform.Html.escape;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The sample web app of the demo, written to be safe to copy. Its backend holds the function key
 * and calls the connector's API; a person is signed in to the app (a session cookie) and the app
 * keeps its own user -> connection mapping on the server, never trusting a connection id from the
 * browser: the id on the return link is accepted only if it is the connection this session started,
 * and every API call carries {@code X-Owner-Id} with the app's user, so a tampered id answers 404.
 * JSON is built with a JSON library; actions are offered only when the connection has the feature
 * (room booking: {@link DemoRoomBooking}).
 */
final class DemoWebApp implements AutoCloseable {
    private static final Pattern CONNECTION_ID = Pattern.compile("con_[0-9a-f]{32}");
    private static final Pattern ERROR_CODE = Pattern.compile("[a-z_]{1,64}");
    private static final String SESSION_COOKIE = "demo_session";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HttpServer server;
    private final String functions;
    private final String functionKey;
    private final Function<String, String> mailboxView;
    private final HttpClient http = HttpClient.newHttpClient();
    private final DemoRoomBooking rooms = new DemoRoomBooking();
    /** The app's own state per browser session: who is signed in to the app, and their connection. */
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    private static final class Session {
        final String user = "recruiter-" + Integer.toHexString(RANDOM.nextInt(0x10000));
        volatile String connectionId;
        volatile String pendingConnectionId;
        volatile String notice;
    }

    /**
     * @param mailboxView HTML of the fake Graph's mailbox and calendar for a connection id
     */
    DemoWebApp(int port, String functionsBaseUrl, String functionKey, Function<String, String> mailboxView) throws IOException {
        this.functions = functionsBaseUrl;
        this.functionKey = functionKey;
        this.mailboxView = mailboxView;
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
            Session session = session(ex);
            Map<String, String> form = form(ex);
            switch (ex.getRequestMethod() + " " + ex.getRequestURI().getPath()) {
                case "GET /" -> html(ex, 200, home(session));
                case "POST /connect" -> connect(ex, session, form);
                case "GET /connected" -> connected(ex, session);
                case "POST /mail" -> mail(ex, session, form);
                case "POST /event" -> event(ex, session);
                case "POST /disconnect" -> action(ex, session, "DELETE", "", null);
                case "GET /rooms" -> html(ex, 200, session.connectionId == null ? page("No connection", "<p>Connect first.</p>")
                        : rooms.pickRoom(api(session), session.connectionId));
                case "POST /rooms/availability" -> html(ex, 200, rooms.availability(api(session), session.connectionId, user(session), form));
                case "POST /rooms/book" -> html(ex, 200, rooms.book(api(session), session.connectionId, form));
                case "GET /mailbox" -> html(ex, 200, session.connectionId == null ? page("No connection", "<p>Connect first.</p>")
                        : mailboxView.apply(session.connectionId));
                default -> html(ex, 404, page("Not found", "<p>Nothing here.</p>"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void connect(HttpExchange ex, Session session, Map<String, String> form) throws IOException, InterruptedException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("ownerId", session.user);
        var features = body.putArray("features");
        for (String f : new String[] {"mail", "calendar", "rooms"}) {
            if (form.containsKey(f)) {
                features.add(f);
            }
        }
        body.put("cloud", form.getOrDefault("cloud", "global"));
        body.put("returnUrl", url() + "/connected");
        if ("true".equals(form.get("reconnect")) && session.connectionId != null) {
            body.put("connectionId", session.connectionId);
        }
        HttpResponse<String> response = call(session, "POST", "/api/connections", body.toString(), null);
        if (response.statusCode() != 201) {
            html(ex, response.statusCode(), page("Could not start", "<pre>" + escape(response.body()) + "</pre><p><a href=\"/\">Back</a></p>"));
            return;
        }
        JsonNode started = Json.MAPPER.readTree(response.body());
        session.pendingConnectionId = started.get("connectionId").asText();
        redirect(ex, started.get("loginUrl").asText());
    }

    /** The return link: its connection id is only a hint, checked against what this session started. */
    private void connected(HttpExchange ex, Session session) throws IOException, InterruptedException {
        Map<String, String> query = parse(ex.getRequestURI().getRawQuery());
        String id = query.get("connection_id");
        String error = query.get("error");
        if (error != null) {
            session.notice = "Microsoft 365 did not connect (" + (ERROR_CODE.matcher(error).matches() ? error : "error")
                    + "). Your earlier connection, if any, is unchanged.";
        } else if (id != null && CONNECTION_ID.matcher(id).matches() && id.equals(session.pendingConnectionId)
                && call(session, "GET", "/api/connections/" + id, null, null).statusCode() == 200) {
            session.connectionId = id;
            session.notice = null;
        } else {
            session.notice = "That return link does not belong to a connection you started here.";
        }
        session.pendingConnectionId = null;
        redirect(ex, "/");
    }

    private void mail(HttpExchange ex, Session session, Map<String, String> form) throws IOException, InterruptedException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putArray("to").add(form.getOrDefault("to", "candidate@fabrikam.com"));
        body.put("subject", "Test mail from the m365-connector demo");
        body.putObject("body").put("contentType", "html").put("content", "<p>It works.</p>");
        action(ex, session, "POST", "/mail", body.toString());
    }

    private void event(HttpExchange ex, Session session) throws IOException, InterruptedException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("subject", "Demo interview");
        body.putObject("start").put("dateTime", "2027-03-01T10:00:00").put("timeZone", "W. Europe Standard Time");
        body.putObject("end").put("dateTime", "2027-03-01T11:00:00").put("timeZone", "W. Europe Standard Time");
        body.putArray("attendees").add("candidate@fabrikam.com");
        body.put("teamsMeeting", true);
        action(ex, session, "POST", "/events", body.toString());
    }

    private void action(HttpExchange ex, Session session, String method, String suffix, String body) throws IOException, InterruptedException {
        if (session.connectionId == null) {
            html(ex, 400, page("No connection", "<p>Connect first.</p><p><a href=\"/\">Back</a></p>"));
            return;
        }
        HttpResponse<String> response = call(session, method, "/api/connections/" + session.connectionId + suffix, body,
                UUID.randomUUID().toString());
        html(ex, 200, page("Result: HTTP " + response.statusCode(), "<pre id=\"result\">" + escape(pretty(response.body()))
                + "</pre><p><a id=\"back\" href=\"/\">Back</a> · <a href=\"/mailbox\">Mailbox and calendar</a></p>"));
    }

    private String home(Session session) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder("<p>Signed in to this app as <strong id=\"app-user\">").append(escape(session.user))
                .append("</strong>.</p>");
        if (session.notice != null) {
            body.append("<p class=\"notice\" id=\"notice\" role=\"alert\">").append(escape(session.notice)).append("</p>");
        }
        JsonNode status = null;
        if (session.connectionId != null) {
            HttpResponse<String> r = call(session, "GET", "/api/connections/" + session.connectionId, null, null);
            status = r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()) : null;
        }
        if (status != null) {
            body.append(connectionPanel(status));
        }
        if (status == null || !"active".equals(status.get("status").asText())) {
            body.append(connectForm());
        }
        return page("Sample web app", body.toString());
    }

    /** The connection and the actions its features allow; after a disconnect, no actions. */
    private static String connectionPanel(JsonNode status) {
        String state = status.get("status").asText();
        StringBuilder b = new StringBuilder("<h2>Your Microsoft 365 connection</h2><p>Status: <strong id=\"status\">").append(escape(state))
                .append("</strong>").append(status.hasNonNull("user") ? " as <strong id=\"user\">"
                        + escape(status.get("user").get("userPrincipalName").asText()) + "</strong>" : "")
                .append(" (cloud ").append(escape(status.get("cloud").asText())).append(")</p>")
                .append("<p>Features: <span id=\"features\">").append(escape(status.get("features").toString())).append("</span></p>");
        if (!"active".equals(state)) {
            return b.append("<p id=\"no-actions\">No actions: connect again to use Microsoft 365.</p>").toString();
        }
        boolean mail = granted(status, "mail", "Mail.");
        boolean calendar = granted(status, "calendar", "Calendars.");
        boolean roomBooking = granted(status, "rooms", "Place.");
        b.append("<form method=\"post\" action=\"/mail\"><button id=\"send-mail\"").append(mail ? "" : " disabled").append(">Send test mail</button></form>")
                .append("<form method=\"post\" action=\"/event\"><button id=\"create-event\"").append(calendar ? "" : " disabled")
                .append(">Create test event</button></form>")
                .append("<form method=\"get\" action=\"/rooms\"><button id=\"book-room\"").append(roomBooking ? "" : " disabled")
                .append(">Book a room</button></form>");
        if (!calendar) {
            b.append("<form method=\"post\" action=\"/connect\"><input type=\"hidden\" name=\"reconnect\" value=\"true\">")
                    .append("<input type=\"hidden\" name=\"cloud\" value=\"").append(escape(status.get("cloud").asText())).append("\">")
                    .append("<input type=\"hidden\" name=\"mail\" value=\"on\"><input type=\"hidden\" name=\"calendar\" value=\"on\">")
                    .append("<button id=\"add-calendar\">Add calendar (reconnect)</button></form>")
                    .append("<p class=\"hint\" id=\"calendar-hint\">Creating events needs the calendar feature: add it, and accept it at Microsoft.</p>");
        }
        return b.append("<form method=\"post\" action=\"/disconnect\"><button id=\"disconnect\">Disconnect</button></form>")
                .append("<p><a id=\"mailbox\" href=\"/mailbox\">See the fake mailbox and calendar</a></p>")
                .append("<details><summary>Status JSON</summary><pre>").append(escape(pretty(status.toString()))).append("</pre></details><hr>")
                .toString();
    }

    /** The feature was asked for and none of its permissions is missing. */
    private static boolean granted(JsonNode status, String feature, String scopePrefix) {
        boolean asked = false;
        for (JsonNode f : status.path("features")) {
            asked |= f.asText().equals(feature);
        }
        for (JsonNode missing : status.path("missingScopes")) {
            if (missing.asText().startsWith(scopePrefix)) {
                return false;
            }
        }
        return asked;
    }

    private static String connectForm() {
        return "<h2>Connect Microsoft 365</h2><form method=\"post\" action=\"/connect\">"
                + "<p><label>Cloud <select name=\"cloud\" id=\"cloud\"><option value=\"global\">Global (and GCC)</option>"
                + "<option value=\"usgov\">US Government (GCC High)</option><option value=\"usgovdod\">US Government (DoD)</option>"
                + "<option value=\"china\">China (21Vianet)</option></select></label></p>"
                + "<p><label><input type=\"checkbox\" name=\"mail\" id=\"feature-mail\" checked> Send mail</label> "
                + "<label><input type=\"checkbox\" name=\"calendar\" id=\"feature-calendar\" checked> Calendar</label> "
                + "<label><input type=\"checkbox\" name=\"rooms\" id=\"feature-rooms\"> Rooms and availability</label></p>"
                + "<p><button id=\"connect\">Connect Microsoft 365</button></p></form>";
    }

    /** How the room-booking pages call the API: as this session's user. */
    @FunctionalInterface
    interface Api {
        HttpResponse<String> call(String method, String path, String body) throws IOException, InterruptedException;
    }

    private Api api(Session session) {
        return (method, path, body) -> call(session, method, path, body, UUID.randomUUID().toString());
    }

    /** The connected user's address (their own free/busy). */
    private String user(Session session) throws IOException, InterruptedException {
        HttpResponse<String> r = call(session, "GET", "/api/connections/" + session.connectionId, null, null);
        return Json.MAPPER.readTree(r.body()).path("user").path("userPrincipalName").asText();
    }

    private HttpResponse<String> call(Session session, String method, String path, String body, String idempotencyKey)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(functions + path)).header("x-functions-key", functionKey)
                .header("X-Owner-Id", session.user)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (idempotencyKey != null && method.equals("POST")) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Session session(HttpExchange ex) {
        String id = cookie(ex, SESSION_COOKIE);
        Session session = id == null ? null : sessions.get(id);
        if (session == null) {
            byte[] bytes = new byte[32];
            RANDOM.nextBytes(bytes);
            id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            session = new Session();
            sessions.put(id, session);
            ex.getResponseHeaders().add("Set-Cookie", SESSION_COOKIE + "=" + id + "; Path=/; HttpOnly; SameSite=Lax");
        }
        return session;
    }

    static String page(String title, String body) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
                + "<title>" + escape(title) + "</title><style>"
                + "body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
                + "header{background:#1f3b63;color:#fff;padding:.5rem 1rem;border-radius:6px}form{display:inline-block;margin:.25rem}"
                + "button{padding:.4rem .8rem}button[disabled]{opacity:.5}.notice{background:#fff4ce;padding:.5rem;border-radius:4px}"
                + ".hint{color:#555;font-size:.9rem}"
                + "pre{background:#f3f3f3;padding:.5rem;white-space:pre-wrap;overflow-wrap:anywhere}a{overflow-wrap:anywhere}</style></head><body>"
                + "<header>Contoso Recruiting (sample web app of the m365-connector demo)</header><h1>" + escape(title) + "</h1>" + body + "</body></html>";
    }

    private static void redirect(HttpExchange ex, String location) throws IOException {
        ex.getResponseHeaders().add("Location", location);
        ex.sendResponseHeaders(303, -1);
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
                try {
                    map.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1),
                            StandardCharsets.UTF_8));
                } catch (IllegalArgumentException malformed) {
                    // a malformed escape: the parameter is ignored
                }
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
