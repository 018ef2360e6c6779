package io.m365connector.graph;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.stream.StreamSupport;

/**
 * Values of Graph's JSON answers as the Graph SDK's models read them (absent and null alike are null), for the code that
 * reads answers with Jackson ({@link GraphJsonRequests}). Values of the wrong JSON type, which Graph does not send, are
 * read leniently (Jackson's {@code asBoolean}, {@code asInt}) where the SDK's reader would throw; a malformed date-time
 * or base64 fails after the call, not inside it (so it is not retried as an ambiguous answer).
 */
public final class GraphValues {
    private GraphValues() {
    }

    public static String text(JsonNode node, String name) {
        JsonNode value = node == null ? null : node.get(name);
        return value == null || value.isNull() ? null : value.asText();
    }

    public static Boolean bool(JsonNode node, String name) {
        JsonNode value = node == null ? null : node.get(name);
        return value == null || value.isNull() ? null : value.asBoolean();
    }

    public static Integer integer(JsonNode node, String name) {
        JsonNode value = node == null ? null : node.get(name);
        return value == null || value.isNull() ? null : value.asInt();
    }

    /** A date-time with its offset; one without (as some Graph values come) is UTC, as the SDK's JSON reader takes it. */
    public static OffsetDateTime time(JsonNode node, String name) {
        String value = text(node, name);
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            return LocalDateTime.parse(value).atOffset(ZoneOffset.UTC);
        }
    }

    /** Base64 content ({@code contentBytes}). */
    public static byte[] bytes(JsonNode node, String name) {
        String value = text(node, name);
        return value == null || value.isEmpty() ? null : Base64.getDecoder().decode(value); // "" is none, as Kiota reads it
    }

    /** The elements of an array property (none when absent). */
    public static List<JsonNode> list(JsonNode node, String name) {
        JsonNode value = node == null ? null : node.get(name);
        return value == null || !value.isArray() ? List.of() : StreamSupport.stream(value.spliterator(), false).toList();
    }

    /** {@code value} if it is one of {@code known} (Graph's enum members), else null, as the SDK's enums read unknown members. */
    public static String member(String value, String... known) {
        for (String k : known) {
            if (k.equals(value)) {
                return value;
            }
        }
        return null;
    }
}
