package io.m365connector.testing.graph;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Helpers shared by the fake's mail store, delta, calendar view and subscription classes. */
final class SyncValues {
    static final DateTimeFormatter GRAPH_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS");
    private static final SecureRandom RANDOM = new SecureRandom();

    private SyncValues() {
    }

    /** Graph's form of a message timestamp: {@code 2030-05-01T09:00:00Z}. */
    static String time(Instant instant) {
        return GRAPH_TIME.format(instant);
    }

    /** An ISO 8601 time with offset or Z, or one without (read as UTC, as calendarView does); null when it is neither. */
    static Instant parseTime(String text) {
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text.trim()).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return java.time.LocalDateTime.parse(text.trim()).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    static String token(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** An Outlook default (REST) item id: changes when the item moves to another folder. */
    static String defaultId() {
        return "AAMkA" + token(105) + "AAA=";
    }

    /**
     * An Outlook immutable id. Real ones start {@code AAkALg} (they are another encoding than the default
     * id, so the two never look alike): outlook-immutable-id.
     */
    static String immutableId() {
        return "AAkALg" + token(105) + "AAA=";
    }

    /**
     * An event's default id for its immutable one. Graph answers an event's id in either form, by the request's {@code Prefer:
     * IdType="ImmutableId"} (outlook-immutable-id: "This header only applies to the request it is included with"), and takes
     * either in a request. Here the two are the same token under each form's prefix, so the fake keeps one and shows the other.
     */
    static String eventDefaultId(String immutableId) {
        return immutableId.startsWith("AAkALg") ? "AAMkA" + immutableId.substring(6) : immutableId;
    }

    /** The immutable id of an event named by either of its ids. */
    static String eventImmutableId(String anyId) {
        return anyId != null && anyId.startsWith("AAMkA") ? "AAkALg" + anyId.substring(5) : anyId;
    }

    static String folderId() {
        return "AQMkAD" + token(60) + "AAAA";
    }

    static String key(String s) {
        return s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
    }

    static String urlEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The decoded parameters of a URL's query string (first value of each name). */
    static Map<String, String> queryOf(String url) {
        Map<String, String> params = new LinkedHashMap<>();
        int q = url.indexOf('?');
        if (q < 0 || q == url.length() - 1) {
            return params;
        }
        for (String pair : url.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return params;
    }

    /** A query string from decoded parameters, each encoded; no leading '?'. */
    static String queryString(Map<String, String> params) {
        StringBuilder out = new StringBuilder();
        params.forEach((name, value) -> out.append(out.length() == 0 ? "" : "&").append(urlEncode(name).replace("%24", "$"))
                .append('=').append(urlEncode(value)));
        return out.toString();
    }
}
