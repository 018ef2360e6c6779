package io.m365connector.functions;

import com.microsoft.azure.functions.HttpRequestMessage;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.TextRules;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Reads what function classes need from a request: the connection it names, a JSON body within limits, cookies, form or query parameters. */
final class HttpRequests {
    /** Bodies of the connection API are small; anything bigger is refused before parsing. */
    static final int MAX_JSON_BYTES = 16 * 1024;
    /** Optional: the web app's id of its signed-in user; a connection of another owner then answers 404. */
    static final String OWNER_HEADER = "X-Owner-Id";

    private HttpRequests() {
    }

    /** The connection a request names: the route's id and the optional X-Owner-Id header. */
    static ConnectionRef connectionRef(HttpRequestMessage<?> request, String id) {
        return ConnectionRef.of(id, header(request, OWNER_HEADER));
    }

    static String jsonBody(HttpRequestMessage<Optional<String>> request, int maxBytes) {
        String contentType = header(request, "Content-Type");
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ConnectorException(ProblemCode.UNSUPPORTED_MEDIA_TYPE, "Send the body as JSON with Content-Type: application/json.");
        }
        String body = request.getBody().orElse("");
        if (body.length() > maxBytes || body.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw new ConnectorException(ProblemCode.PAYLOAD_TOO_LARGE, "The body is larger than " + maxBytes + " bytes.");
        }
        return body;
    }

    static String header(HttpRequestMessage<?> request, String name) {
        for (Map.Entry<String, String> h : request.getHeaders().entrySet()) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    static String cookie(HttpRequestMessage<?> request, String name) {
        String header = header(request, "Cookie");
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
                return part.substring(eq + 1).trim();
            }
        }
        return null;
    }

    /**
     * Query parameters, and for a form POST the form fields too (form wins). A form body that is not
     * valid URL encoding, too large, or has text that is not valid Unicode is a 400, never a 500.
     */
    static Map<String, String> queryAndForm(HttpRequestMessage<Optional<String>> request) {
        Map<String, String> params = new LinkedHashMap<>();
        request.getQueryParameters().forEach((name, value) -> params.put(name, value == null ? "" : value));
        String contentType = header(request, "Content-Type");
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            String body = request.getBody().orElse("");
            if (body.length() > MAX_JSON_BYTES) {
                throw new ConnectorException(ProblemCode.PAYLOAD_TOO_LARGE, "The form body is larger than " + MAX_JSON_BYTES + " bytes.");
            }
            for (String pair : body.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(formDecode(pair.substring(0, eq)), formDecode(pair.substring(eq + 1)));
                }
            }
        }
        for (Map.Entry<String, String> p : params.entrySet()) {
            if (TextRules.isBrokenUnicode(p.getKey()) || TextRules.isBrokenUnicode(p.getValue())) {
                throw new ConnectorException(ProblemCode.INVALID_REQUEST, "A parameter is not valid Unicode.");
            }
        }
        return params;
    }

    private static String formDecode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ConnectorException(ProblemCode.INVALID_REQUEST, "The form body is not valid URL encoding (a % must be followed by "
                    + "two hex digits).");
        }
    }
}
