package io.m365connector.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.kiota.HttpMethod;
import com.microsoft.kiota.RequestInformation;
import com.microsoft.kiota.serialization.Parsable;
import com.microsoft.kiota.serialization.ParsableFactory;
import io.m365connector.platform.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Graph requests whose JSON body the caller wrote itself, sent through a session's Graph client: the same
 * authentication, claims-challenge handling, middleware and error mapping ({@code ODataError}) as the SDK's
 * request builders, without the SDK's models. Why: every model deriving from {@code Entity} (a message, an
 * attachment, an event) makes the JVM's bytecode verifier load the ~1,100 model classes that
 * {@code Entity.createFromDiscriminatorValue} names, on the first use in a process; on the cold path of a send
 * that is about a quarter of the time to the answer (BENCHMARKS.md, issue 24).
 */
public final class GraphJsonRequests {
    /** The path parameter that makes Kiota use a whole URL instead of the template (RequestInformation.RAW_URL_KEY). */
    private static final String RAW_URL = "request-raw-url";
    /** A simple-string variable of a URI template (RFC 6570 level 1): a path segment; operators (+baseurl, ?query) are not. */
    private static final Pattern PATH_VARIABLE = Pattern.compile("\\{([^+#./;?&=,!@|}][^}]*)}");

    private GraphJsonRequests() {
    }

    /**
     * The signed-in user's mailbox, {@code {+baseurl}/me}, or {@code address}'s, {@code {+baseurl}/users/{user%2Did}}, as a
     * URI template (what the SDK's {@code me()} and {@code users().byUserId(address)} address); requests append their path.
     */
    public static String mailbox(String address) {
        return address == null ? "{+baseurl}/me" : "{+baseurl}/users/{user%2Did}";
    }

    /** The values of {@link #mailbox}'s template and of {@code more} (name, value, ...: a null value is left out). */
    public static Map<String, Object> parameters(String address, String... more) {
        Map<String, Object> parameters = new HashMap<>();
        if (address != null) {
            parameters.put("user%2Did", address);
        }
        for (int i = 0; i < more.length; i += 2) {
            if (more[i + 1] != null) {
                parameters.put(more[i], more[i + 1]);
            }
        }
        return parameters;
    }

    /**
     * POSTs {@code json} and returns the {@code id} of what Graph created ({@link #postCreated}).
     *
     * @param urlTemplate a URI template under {@code {+baseurl}}, e.g. {@code {+baseurl}/users/{user%2Did}/messages}
     * @param pathParameters the template's values (Kiota encodes them as the SDK's builders do)
     */
    public static String postForId(GraphClient client, String urlTemplate, Map<String, Object> pathParameters, byte[] json) {
        return postCreated(client, urlTemplate, pathParameters, json, List.of()).path("id").asText();
    }

    /**
     * POSTs {@code json} with {@code Prefer} values and returns what Graph created. A success without an id is treated like an
     * answer that broke off (ambiguous: {@link GraphFailure}), so a caller that made something looks it up instead of using null.
     */
    public static JsonNode postCreated(GraphClient client, String urlTemplate, Map<String, Object> pathParameters, byte[] json,
                                       List<String> prefer) {
        JsonNode created = exchange(client, request(HttpMethod.POST, urlTemplate, pathParameters, Map.of(), json, prefer));
        String id = created == null ? null : created.path("id").asText(null);
        if (id == null || id.isBlank()) {
            throw brokenAnswer("Microsoft Graph's answer named no id for what it created");
        }
        return created;
    }

    /**
     * An answer that is not what Graph sends (no body where it always has one, a value it always names missing): thrown inside
     * the session's call, it is treated like an answer that broke off ({@link GraphFailure}: ambiguous), so a repeatable call
     * is made again and a call that may have acted is looked into, never taken at its word.
     */
    public static UncheckedIOException brokenAnswer(String why) {
        return new UncheckedIOException(new IOException(why));
    }

    /** POSTs {@code json}; Graph's answer body, if any, is not read. */
    public static void post(GraphClient client, String urlTemplate, Map<String, Object> pathParameters, byte[] json) {
        client.adapter().sendPrimitive(request(HttpMethod.POST, urlTemplate, pathParameters, Map.of(), json, List.of()), errors(),
                Void.class);
    }

    /** Sends {@code json} (PATCH, POST); Graph's JSON answer, null when it has none. */
    public static JsonNode send(GraphClient client, HttpMethod method, String urlTemplate, Map<String, Object> pathParameters,
                                byte[] json) {
        return send(client, method, urlTemplate, pathParameters, json, List.of());
    }

    /** GETs one resource with only the {@code select}ed properties (the template ends in {@code {?%24select}}); never null. */
    public static JsonNode get(GraphClient client, String urlTemplate, Map<String, Object> pathParameters, String... select) {
        return get(client, urlTemplate, pathParameters, Map.of("%24select", select), List.of());
    }

    /**
     * GETs with the template's query values ({@code %24top}, {@code %24filter}, ...; arrays are joined with commas as the
     * SDK's builders join them) and {@code Prefer} values (each its own header line, as the SDK's builders send them). Never
     * null: an answer that is not a JSON object fails inside the call.
     */
    public static JsonNode get(GraphClient client, String urlTemplate, Map<String, Object> pathParameters, Map<String, Object> query,
                               List<String> prefer) {
        return resource(exchange(client, request(HttpMethod.GET, urlTemplate, pathParameters, query, null, prefer)));
    }

    /**
     * What a GET of Graph answers is a JSON object (a resource, or a page with {@code value}). Anything else (an empty 200
     * from a proxy, an answer cut short) is a broken answer, failed inside the call like one that broke off, so the
     * session's retry reads it again: never an empty list, a folder without an id or a draft without its state.
     */
    private static JsonNode resource(JsonNode answer) {
        if (answer == null || !answer.isObject()) {
            throw brokenAnswer("Microsoft Graph answered a GET without a JSON object");
        }
        return answer;
    }

    /**
     * GETs a link Graph gave ({@code @odata.nextLink}, {@code @odata.deltaLink}) as it is, with {@code Prefer} values: what the
     * SDK's builders do with {@code withUrl(link)}.
     */
    public static JsonNode getAt(GraphClient client, String link, List<String> prefer) {
        return resource(exchange(client, request(HttpMethod.GET, "{+baseurl}", Map.of(RAW_URL, link), Map.of(), null, prefer)));
    }

    /**
     * GETs raw content ({@code .../$value}) as bytes, reading at most {@code mostBytes} + 1: a longer answer comes back one byte
     * over, for the caller to refuse. Read straight from the stream: no base64 text and JSON tree four times the size between.
     */
    public static byte[] getBytes(GraphClient client, String urlTemplate, Map<String, Object> pathParameters, int mostBytes) {
        try (InputStream answer = client.adapter().sendPrimitive(request(HttpMethod.GET, urlTemplate, pathParameters, Map.of(), null, List.of()),
                errors(), InputStream.class)) {
            return answer == null ? new byte[0] : answer.readNBytes(mostBytes + 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code json} (PATCH, POST) with {@code Prefer} values; Graph's JSON answer, null when it has none. */
    public static JsonNode send(GraphClient client, HttpMethod method, String urlTemplate, Map<String, Object> pathParameters,
                                byte[] json, List<String> prefer) {
        return exchange(client, request(method, urlTemplate, pathParameters, Map.of(), json, prefer));
    }

    private static JsonNode exchange(GraphClient client, RequestInformation request) {
        // Read with the app's Jackson rather than Kiota's Gson parse nodes: the answer is one JSON document, and the
        // models are what this class avoids.
        try (InputStream answer = client.adapter().sendPrimitive(request, errors(), InputStream.class)) {
            JsonNode json = answer == null ? null : Json.MAPPER.readTree(answer);
            // An empty body (Jackson: a missing node) or a JSON null is no answer, as the SDK's models read them (null).
            return json == null || json.isMissingNode() || json.isNull() ? null : json;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the answer broke off after Graph acted: ambiguous (GraphFailure)
        }
    }

    /** The request, with each {@code Prefer} value on its own header line, as the SDK's builders send them. */
    private static RequestInformation request(HttpMethod method, String urlTemplate, Map<String, Object> pathParameters,
                                              Map<String, Object> query, byte[] json, List<String> prefer) {
        requireValues(urlTemplate, pathParameters, query);
        // The adapter adds the base URL to these parameters: a map of our own, mutable.
        RequestInformation request = new RequestInformation(method, urlTemplate, new HashMap<>(pathParameters));
        query.forEach((name, value) -> {
            if (value != null) { // as the SDK's builders leave an unset parameter out
                request.addQueryParameter(name, value);
            }
        });
        request.headers.tryAdd("Accept", "application/json");
        prefer.forEach(value -> request.headers.add("Prefer", value));
        if (json != null) {
            // A ByteArrayInputStream: Kiota resets it when a claims challenge makes it send the request again.
            request.setStreamContent(new ByteArrayInputStream(json), "application/json");
        }
        return request;
    }

    /**
     * Refuses a path variable of the template ({@code {message%2Did}}, not {@code {+baseurl}} or a query's {@code {?...}})
     * without a value: the URI template would expand it to nothing, and Graph would get a request for another path
     * ({@code .../messages//send}), as the SDK's builders refused a null id. Values a template does not use may be null.
     * Kiota expands the template from both maps: calendarView's {@code ?startDateTime={startDateTime}} takes a query value.
     */
    static void requireValues(String urlTemplate, Map<String, Object> pathParameters, Map<String, Object> query) {
        Matcher variable = PATH_VARIABLE.matcher(urlTemplate);
        while (variable.find()) {
            if (pathParameters.get(variable.group(1)) == null && query.get(variable.group(1)) == null) {
                throw new MissingPathValue(variable.group(1));
            }
        }
    }

    /** A request refused before it was made: a fault of the caller, never a Graph failure to retry or to look into. */
    public static final class MissingPathValue extends IllegalArgumentException {
        MissingPathValue(String variable) {
            super("the Graph path parameter " + variable + " has no value");
        }
    }

    private static HashMap<String, ParsableFactory<? extends Parsable>> errors() {
        HashMap<String, ParsableFactory<? extends Parsable>> errors = new HashMap<>();
        errors.put("XXX", ODataError::createFromDiscriminatorValue); // what every builder of the SDK maps
        return errors;
    }
}
