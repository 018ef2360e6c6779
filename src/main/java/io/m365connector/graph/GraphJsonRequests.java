package io.m365connector.graph;

import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.serviceclient.GraphServiceClient;
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
import java.util.Map;

/**
 * Graph requests whose JSON body the caller wrote itself, sent through a session's Graph client: the same
 * authentication, claims-challenge handling, middleware and error mapping ({@code ODataError}) as the SDK's
 * request builders, without the SDK's models. Why: every model deriving from {@code Entity} (a message, an
 * attachment, an event) makes the JVM's bytecode verifier load the ~1,100 model classes that
 * {@code Entity.createFromDiscriminatorValue} names, on the first use in a process; on the cold path of a send
 * that is about a quarter of the time to the answer (BENCHMARKS.md, issue 24).
 */
public final class GraphJsonRequests {
    private GraphJsonRequests() {
    }

    /**
     * POSTs {@code json} and returns the {@code id} of what Graph created.
     *
     * @param urlTemplate a URI template under {@code {+baseurl}}, e.g. {@code {+baseurl}/users/{user%2Did}/messages}
     * @param pathParameters the template's values (Kiota encodes them as the SDK's builders do)
     */
    public static String postForId(GraphServiceClient client, String urlTemplate, Map<String, Object> pathParameters, byte[] json) {
        // Read with the app's Jackson rather than Kiota's Gson parse nodes: one JSON library less on a cold send.
        try (InputStream answer = client.getRequestAdapter().sendPrimitive(post(urlTemplate, pathParameters, json), errors(), InputStream.class)) {
            return answer == null ? null : Json.MAPPER.readTree(answer).path("id").asText(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the answer broke off after Graph acted: ambiguous (GraphFailure)
        }
    }

    /** POSTs {@code json}; Graph's answer body, if any, is not read. */
    public static void post(GraphServiceClient client, String urlTemplate, Map<String, Object> pathParameters, byte[] json) {
        client.getRequestAdapter().sendPrimitive(post(urlTemplate, pathParameters, json), errors(), Void.class);
    }

    private static RequestInformation post(String urlTemplate, Map<String, Object> pathParameters, byte[] json) {
        // The adapter adds the base URL to these parameters: a map of our own, mutable.
        RequestInformation request = new RequestInformation(HttpMethod.POST, urlTemplate, new HashMap<>(pathParameters));
        request.headers.tryAdd("Accept", "application/json");
        // A ByteArrayInputStream: Kiota resets it when a claims challenge makes it send the request again.
        request.setStreamContent(new ByteArrayInputStream(json), "application/json");
        return request;
    }

    private static HashMap<String, ParsableFactory<? extends Parsable>> errors() {
        HashMap<String, ParsableFactory<? extends Parsable>> errors = new HashMap<>();
        errors.put("XXX", ODataError::createFromDiscriminatorValue); // what every builder of the SDK maps
        return errors;
    }
}
