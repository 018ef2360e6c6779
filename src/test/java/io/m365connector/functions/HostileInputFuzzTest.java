package io.m365connector.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.devhost.LocalFunctionHost;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.RawHttp;
import io.m365connector.testing.SecretsLedger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generated hostile requests over every route, method and kind of mutation, through the same HTTP
 * adapter the demo uses ({@link LocalFunctionHost}): no answer is 5xx, every answer is at most 64 KiB,
 * no request makes the connector wait (a retry's backoff, recorded by the harness's sleeper) or call Graph
 * more than a valid request does. Wall-clock time is printed, not asserted: on a loaded build machine it
 * measures the machine (BENCHMARKS.md has the latency figures). The seed is fixed (42) and 10,000 requests are sent; a longer
 * run with another seed: {@code mvn -Dtest=HostileInputFuzzTest -Dm365c.fuzz.seed=random
 * -Dm365c.fuzz.requests=100000 test} (the seed is printed, so a failure can be replayed).
 */
class HostileInputFuzzTest {
    private static final int MAX_BODY = 64 * 1024;
    /** What one request may cost outside the connector: a valid send is a draft and its send, plus a token now and then. */
    private static final int MAX_OUTBOUND_GRAPH_CALLS = 6;
    private static final String KEY = SecretsLedger.remember("fuzz-function-key-" + UUID.randomUUID());
    private static ConnectorHarness harness;
    private static LocalFunctionHost host;
    private static final List<String> CONNECTED = new ArrayList<>();
    /** One very large body of distinct unknown fields (the reported 11.9 MB case), built once. */
    private static String manyUnknownFields;

    @BeforeAll
    static void start() throws IOException {
        harness = new ConnectorHarness();
        host = new LocalFunctionHost(harness.context, "localhost", 0, KEY, Map.of());
        CONNECTED.add(harness.connect(NationalCloud.GLOBAL, "\"mail\",\"calendar\",\"rooms\"").connectionId());
        CONNECTED.add(harness.connect(NationalCloud.USGOVDOD, "\"mail\"").connectionId());
        CONNECTED.add(harness.connect(NationalCloud.GLOBAL, "\"mail_read\",\"shared_mailbox_read\",\"shared_calendar_read\"").connectionId());
        StringBuilder b = new StringBuilder("{\"to\":[\"a@fabrikam.com\"],\"subject\":\"s\"");
        for (int i = 0; b.length() < 12_000_000; i++) {
            b.append(",\"unknown_field_number_").append(i).append("\":").append(i);
        }
        manyUnknownFields = b.append('}').toString();
    }

    @AfterAll
    static void stop() {
        host.close();
        harness.close();
    }

    /** A route as the web app or a browser calls it. */
    private record Route(String method, String path, boolean keyed, Body body) {
    }

    private enum Body { NONE, START, COMPLETION, MAIL, EVENT, PATCH, FORM, AVAILABILITY, MEETING_TIMES }

    private static final List<Route> ROUTES = List.of(
            new Route("POST", "/api/connections", true, Body.START),
            new Route("GET", "/api/connections/{id}", true, Body.NONE),
            new Route("POST", "/api/connections/{id}/completion", true, Body.COMPLETION),
            new Route("DELETE", "/api/connections/{id}", true, Body.NONE),
            new Route("POST", "/api/connections/{id}/mail", true, Body.MAIL),
            new Route("POST", "/api/connections/{id}/events", true, Body.EVENT),
            new Route("PATCH", "/api/connections/{id}/events/{event}", true, Body.PATCH),
            new Route("DELETE", "/api/connections/{id}/events/{event}", true, Body.NONE),
            new Route("GET", "/api/auth/login/{session}", false, Body.NONE),
            new Route("GET", "/api/auth/adminconsent/{session}", false, Body.NONE),
            new Route("GET", "/api/auth/callback", false, Body.NONE),
            new Route("POST", "/api/auth/callback", false, Body.FORM),
            new Route("GET", "/api/health", false, Body.NONE),
            new Route("POST", "/api/webhooks/replay", true, Body.NONE),
            new Route("GET", "/api/connections/{id}/events/{event}", true, Body.NONE),
            new Route("GET", "/api/connections/{id}/rooms", true, Body.NONE),
            new Route("POST", "/api/connections/{id}/availability", true, Body.AVAILABILITY),
            new Route("POST", "/api/connections/{id}/meeting-times", true, Body.MEETING_TIMES),
            new Route("GET", "/api/connections/{id}/changes", true, Body.NONE),
            new Route("PUT", "/api/connections/{id}/shared-mailboxes/{mailbox}", true, Body.NONE),
            new Route("DELETE", "/api/connections/{id}/shared-mailboxes/{mailbox}", true, Body.NONE));

    /** What is wrong with a request. */
    private enum Mutation {
        NONE, JSON_GARBAGE, JSON_WRONG_TYPES, JSON_UNKNOWN_FIELDS, JSON_UNICODE, JSON_DEEP, JSON_DUPLICATE_KEYS, JSON_TRAILING,
        JSON_HUGE_STRING, JSON_EMPTY, JSON_MANY_UNKNOWN_FIELDS, CONTENT_TYPE, IDEMPOTENCY_KEY, OWNER_HEADER, COOKIE, PATH_ID, QUERY,
        METHOD, FUNCTION_KEY, FORM_ESCAPES, BINARY
    }

    @Test
    void whenThousandsOfHostileRequestsArriveThenNoneGets5xxAnOversizedAnswerOrASlowOne() throws Exception {
        String seedProperty = System.getProperty("m365c.fuzz.seed", "42");
        long seed = seedProperty.equals("random") ? new Random().nextLong() : Long.parseLong(seedProperty);
        int requests = Integer.getInteger("m365c.fuzz.requests", 10_000);
        Random random = new Random(seed);
        Map<String, Integer> byStatus = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        Duration slowest = Duration.ZERO;

        for (int i = 0; i < requests && failures.size() < 10; i++) {
            Route route = ROUTES.get(random.nextInt(ROUTES.size()));
            Mutation mutation = Mutation.values()[random.nextInt(Mutation.values().length)];
            Request request = build(route, mutation, random);
            long started = System.nanoTime();
            int waitsBefore = harness.sleeper.waits().size();
            int graphCallsBefore = harness.graph.requests().size();
            RawHttp.Response response;
            try {
                response = RawHttp.send(host.port(), request.method(), request.target(), request.headers(), request.body());
            } catch (IOException e) {
                failures.add("#" + i + " " + request.method() + " " + request.target().substring(0, Math.min(120, request.target().length()))
                        + " " + mutation + " " + request.headers().keySet() + ": no answer (" + e + ")");
                continue;
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            List<Duration> waits = harness.sleeper.waits().subList(waitsBefore, harness.sleeper.waits().size());
            int graphCalls = harness.graph.requests().size() - graphCallsBefore;
            slowest = took.compareTo(slowest) > 0 ? took : slowest;
            byStatus.merge(response.status() / 100 + "xx", 1, Integer::sum);
            String what = "#" + i + " " + request.method() + " " + route.path() + " " + mutation + " -> " + response.status();
            if (response.status() >= 500) {
                failures.add(what + ": " + new String(response.body(), 0, Math.min(300, response.body().length), StandardCharsets.UTF_8));
            } else if (response.body().length > MAX_BODY) {
                failures.add(what + ": answer of " + response.body().length + " bytes");
            } else if (!waits.isEmpty()) {
                failures.add(what + ": made the connector wait " + waits);
            } else if (graphCalls > MAX_OUTBOUND_GRAPH_CALLS) {
                failures.add(what + ": " + graphCalls + " Graph calls");
            }
        }

        System.out.println("Fuzz seed " + seed + ", " + requests + " requests, answers " + byStatus + ", slowest " + slowest.toMillis() + " ms");
        assertEquals(List.of(), failures, "seed " + seed);
        assertTrue(byStatus.getOrDefault("2xx", 0) > 0 && byStatus.getOrDefault("4xx", 0) > requests / 2,
                "the generator reaches both valid and refused paths: " + byStatus);
    }

    /** One request as bytes will carry it. */
    private record Request(String method, String target, Map<String, String> headers, byte[] body) {
    }

    private static Request build(Route route, Mutation mutation, Random random) {
        String method = mutation == Mutation.METHOD ? pick(random, "PUT", "PATCH", "OPTIONS", "DELETE", "POST", "GET") : route.method();
        String path = route.path()
                .replace("{id}", mutation == Mutation.PATH_ID ? hostileSegment(random) : CONNECTED.get(random.nextInt(CONNECTED.size())))
                .replace("{event}", mutation == Mutation.PATH_ID ? hostileSegment(random) : "AAMkAG" + UUID.randomUUID().toString().replace("-", ""))
                .replace("{session}", mutation == Mutation.PATH_ID ? hostileSegment(random)
                        : "20261201." + base64url(random, 32))
                .replace("{mailbox}", mutation == Mutation.PATH_ID ? hostileSegment(random) : pick(random, "sales@contoso.com", "Support@Contoso.com"));
        String query = switch (route.body()) {
            case FORM, NONE -> route.path().contains("callback") || mutation == Mutation.QUERY ? hostileQuery(random)
                    : route.path().endsWith("/rooms") ? pick(random, "", "?pageSize=5", "?minimumCapacity=4&building=A", "?pageToken=x") : "";
            default -> mutation == Mutation.QUERY ? hostileQuery(random) : "";
        };
        String body = body(route.body(), mutation, random);
        if (body != null && query.contains("%zz")) {
            // The JDK server under the demo refuses a malformed request target before reading a body and resets the
            // connection; the escapes are sent in the form body instead (FORM_ESCAPES), and in queries without a body.
            query = "?code=a%25zz&state=x";
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (route.keyed() && mutation != Mutation.FUNCTION_KEY) {
            headers.put("x-functions-key", KEY);
        } else if (mutation == Mutation.FUNCTION_KEY) {
            headers.put("x-functions-key", pick(random, "", "wrong", KEY + "x", KEY.substring(1)));
        }
        String contentType = route.body() == Body.FORM ? "application/x-www-form-urlencoded" : "application/json";
        if (mutation == Mutation.CONTENT_TYPE) {
            contentType = pick(random, "text/plain", "application/json; charset=latin1", "application/xml", "multipart/form-data; boundary=x",
                    "application/jsonx", "*/*");
        }
        if (body != null) {
            headers.put("Content-Type", contentType);
        }
        if (mutation == Mutation.IDEMPOTENCY_KEY) {
            headers.put("Idempotency-Key", pick(random, "", "k".repeat(300), "ключ", "a b", "\tkey", UUID.randomUUID().toString()));
        } else if (route.body() == Body.MAIL || route.body() == Body.EVENT) {
            headers.put("Idempotency-Key", UUID.randomUUID().toString());
        }
        if (mutation == Mutation.OWNER_HEADER) {
            headers.put("X-Owner-Id", pick(random, "owner-1", "someone-else", "x".repeat(300), "ö", "a\u202Eb"));
        }
        if (mutation == Mutation.COOKIE) {
            headers.put("Cookie", pick(random, "__Host-m365c-browser=" + base64url(random, 32), "__Host-m365c-browser=", "=;=;;",
                    "__Host-m365c-browser=%zz%", "a=" + "b".repeat(5000)));
        }
        return new Request(method, path + query, headers, body == null ? null : bytes(body, mutation));
    }

    private static byte[] bytes(String body, Mutation mutation) {
        if (mutation == Mutation.BINARY) {
            byte[] raw = body.getBytes(StandardCharsets.UTF_8);
            raw[raw.length / 2] = (byte) 0xC3; // a lone UTF-8 lead byte: not valid UTF-8
            raw[raw.length / 3] = (byte) 0xFF;
            return raw;
        }
        return body.getBytes(StandardCharsets.UTF_8);
    }

    private static String body(Body kind, Mutation mutation, Random random) {
        String valid = switch (kind) {
            case NONE -> null;
            case START -> "{\"ownerId\":\"owner-1\",\"features\":[\"mail\"],\"cloud\":\"" + pick(random, "global", "usgov", "usgovdod", "china")
                    + "\",\"returnUrl\":\"" + ConnectorHarness.RETURN_URL + "\"}";
            case COMPLETION -> "{\"completion\":\"20261201." + base64url(random, 32) + "." + base64url(random, 32) + "\"}";
            case MAIL -> "{\"to\":[\"candidate@fabrikam.com\"],\"subject\":\"Hello " + random.nextInt(1000) + "\",\"body\":\"Hi\"}";
            case EVENT -> "{\"subject\":\"Interview\",\"start\":{\"dateTime\":\"2027-03-01T10:00:00\",\"timeZone\":\"UTC\"},"
                    + "\"end\":{\"dateTime\":\"2027-03-01T11:00:00\",\"timeZone\":\"UTC\"}}";
            case PATCH -> "{\"subject\":\"Moved\"}";
            case FORM -> "code=" + base64url(random, 20) + "&state=20261201." + base64url(random, 32) + "." + base64url(random, 32);
            case AVAILABILITY -> "{\"schedules\":[\"adele@contoso.com\",\"room4@contoso.com\"],\"start\":{\"dateTime\":\"2027-03-01T08:00:00\","
                    + "\"timeZone\":\"Pacific Standard Time\"},\"end\":{\"dateTime\":\"2027-03-01T12:00:00\",\"timeZone\":\"Pacific Standard Time\"},"
                    + "\"intervalMinutes\":" + pick(random, "60", "30", "15") + "}";
            case MEETING_TIMES -> "{\"attendees\":[\"cand@fabrikam.com\"],\"durationMinutes\":60,\"start\":{\"dateTime\":\"2027-03-01T08:00:00\","
                    + "\"timeZone\":\"UTC\"},\"end\":{\"dateTime\":\"2027-03-02T17:00:00\",\"timeZone\":\"UTC\"}}";
        };
        if (valid == null && mutation.name().startsWith("JSON")) {
            valid = "{}";
        }
        if (valid == null) {
            return null;
        }
        String open = valid.substring(0, valid.length() - 1);
        return switch (mutation) {
            case JSON_GARBAGE -> pick(random, "{", "}", "[", "null", "\"x\"", "{\"to\":", "{'a':1}", "{\"a\":NaN}", "nul", "{\"a\":1e99999}");
            case JSON_WRONG_TYPES -> valid.replaceFirst(":\"[^\"]*\"", ":" + pick(random, "1", "true", "[]", "{}", "null", "-0", "1e309"));
            case JSON_UNKNOWN_FIELDS -> open + ",\"extra" + random.nextInt(10) + "\":1,\"x\":{\"y\":[1,2]}}";
            case JSON_UNICODE -> open + ",\"subject\":\"" + pick(random, "\\ud800", "\\udfff x", "\uFFFD", "a\u202Eexe.pdf", "\u200Bzero",
                    "\\u0000", "😀".repeat(300), "\u2028") + "\"}";
            case JSON_DEEP -> "[".repeat(5000) + "]".repeat(5000);
            case JSON_DUPLICATE_KEYS -> open + "," + valid.substring(1);
            case JSON_TRAILING -> valid + pick(random, "{}", " x", valid, "]");
            case JSON_HUGE_STRING -> open + ",\"subject\":\"" + "x".repeat(200_000 + random.nextInt(800_000)) + "\"}";
            case JSON_EMPTY -> pick(random, "", " ", "{}");
            case JSON_MANY_UNKNOWN_FIELDS -> random.nextInt(20) == 0 ? manyUnknownFields : open + ",\"a\":1,\"b\":2,\"c\":3}";
            case FORM_ESCAPES -> kind == Body.FORM ? pick(random, "code=%zz&state=x", "%", "=&=&", "code=%E0%A4%A&state=%", "a=b&" + "c".repeat(20_000))
                    : valid.replace("\"", pick(random, "%22", "\""));
            default -> valid;
        };
    }

    private static String hostileSegment(Random random) {
        return pick(random, "con_", "con_" + "0".repeat(32), "con_" + "g".repeat(32), "%zz", "..%2F..%2Fetc", "%00", "a".repeat(3000),
                "con_0123456789abcdef0123456789ABCDEF", "%E2%80%AE", "x%20y", "20261201." + "A".repeat(43), "20261201.%ff");
    }

    private static String hostileQuery(Random random) {
        return pick(random, "?code=%zz&state=x", "?error=access_denied&state=", "?state=" + "a".repeat(5000), "?calendarOwner=%0d%0aBcc:x@y.z",
                "?comment=" + "c".repeat(3000), "?comment=%ff%fe", "?admin_consent=True&error=x&state=a.b.c", "?a&&b=&=c", "?code=a&code=b",
                "?state=20261201.AAAA.BBBB&code=x");
    }

    private static String base64url(Random random, int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    @SafeVarargs
    private static <T> T pick(Random random, T... options) {
        return options[random.nextInt(options.length)];
    }
}
