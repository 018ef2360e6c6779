package io.m365connector.platform;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * The one JSON mapper of the app (Jackson, already on the classpath through azure-core).
 * Unknown fields are refused so a misspelt field is reported instead of silently ignored.
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            // Attachments arrive as base64 strings of up to ~47 MB; Jackson's default cap is 20 MB per string.
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(64 * 1024 * 1024).build())
            .build())
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private static final int MAX_DEPTH = 32;
    private static final int MAX_TOKENS = 20_000;
    private static final int MAX_NAME_LENGTH = 256;

    /**
     * Request bodies are read strictly and within bounds: one JSON value and nothing after it, no
     * duplicate names (which one would win is a guess), at most 32 levels deep, 20,000 tokens and
     * 256-character names. Memory per request is bounded by the body limit, not by what it contains.
     */
    private static final ObjectMapper REQUESTS = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(64 * 1024 * 1024).maxNestingDepth(MAX_DEPTH)
                    .maxTokenCount(MAX_TOKENS).maxNameLength(MAX_NAME_LENGTH).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {
    }

    /** A request body as JSON, read strictly (see {@link #REQUESTS}); a 400 naming what is wrong otherwise. */
    public static JsonNode parseRequest(String body) {
        // From the body's characters in one buffer: for a String over 32,768 characters Jackson reads through a
        // StringReader in 4,000-character chunks, and every base64 attachment crosses hundreds of them, which takes
        // its slow path character by character. The copy costs two bytes per character while the body is read, about
        // what the chunks cost for one large attachment (BENCHMARKS.md, "Reading a request with large attachments")
        try (JsonParser parser = REQUESTS.getFactory().createParser(body == null ? new char[0] : body.toCharArray())) {
            JsonNode json = REQUESTS.readTree(parser);
            return json == null ? MissingNode.getInstance() : json;
        } catch (StreamConstraintsException e) {
            throw invalidBody(limitExceeded(String.valueOf(e.getOriginalMessage())));
        } catch (JsonProcessingException e) {
            String message = String.valueOf(e.getOriginalMessage());
            if (message.startsWith("Duplicate field")) {
                throw invalidBody("The body names a field twice: " + message.substring("Duplicate field".length()).trim() + ".");
            }
            if (message.contains("Trailing token")) {
                throw invalidBody("The body has content after its JSON object; send one JSON object.");
            }
            throw invalidBody("The body is not valid JSON.");
        } catch (IOException e) {
            throw new UncheckedIOException("reading characters in memory failed", e); // no I/O happens here
        }
    }

    /** Which of {@link #REQUESTS}' limits the body went over, from Jackson's message ("Name length (257) exceeds ..."). */
    private static String limitExceeded(String jacksonMessage) {
        if (jacksonMessage.startsWith("Document nesting depth")) {
            return "The body is nested more than " + MAX_DEPTH + " levels deep.";
        }
        if (jacksonMessage.startsWith("Token count")) {
            return String.format(Locale.ROOT, "The body has more than %,d JSON tokens (values, field names and brackets).", MAX_TOKENS);
        }
        if (jacksonMessage.startsWith("Name length")) {
            return "A field name is longer than " + MAX_NAME_LENGTH + " characters.";
        }
        if (jacksonMessage.startsWith("Number value length")) {
            return "A number in the body has more digits than any field takes.";
        }
        return "The body is over a limit of the API's JSON; see the API's limits.";
    }

    private static RequestValidationException invalidBody(String message) {
        return new RequestValidationException(List.of(new RequestValidationException.FieldError("", message)));
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** {@link #write} as UTF-8 bytes, for request bodies. */
    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Reads JSON this application wrote itself (stored progress, outcomes); a failure is a bug, not bad input. */
    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot read stored " + type.getSimpleName(), e);
        }
    }
}
