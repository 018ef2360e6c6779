package io.m365connector.platform;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads fields of a JSON request object while collecting every problem with its JSON path, so a
 * request is answered with all its field errors at once. Unknown fields are errors: a misspelt
 * field is reported rather than silently ignored.
 */
public final class JsonFields {
    private final JsonNode node;
    private final String path;
    private final RequestValidationException.Collector errors;

    public JsonFields(JsonNode node, String path, RequestValidationException.Collector errors) {
        this.node = node;
        this.path = path;
        this.errors = errors;
    }

    /**
     * Parses a request body that must be one JSON object, strictly (see {@link Json#parseRequest}),
     * with no broken Unicode in any name or string; throws a 400 with one error otherwise.
     */
    public static JsonNode parseObject(String body) {
        JsonNode json = Json.parseRequest(body);
        if (json == null || !json.isObject()) {
            throw invalid("The body must be a JSON object.");
        }
        if (hasBrokenUnicode(json)) {
            throw invalid("The body has text that is not valid Unicode (a lone surrogate, or bytes that were not UTF-8).");
        }
        return json;
    }

    private static RequestValidationException invalid(String message) {
        return new RequestValidationException(List.of(new RequestValidationException.FieldError("", message)));
    }

    private static boolean hasBrokenUnicode(JsonNode node) {
        if (node.isTextual()) {
            return TextRules.isBrokenUnicode(node.asText());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (TextRules.isBrokenUnicode(field.getKey()) || hasBrokenUnicode(field.getValue())) {
                return true;
            }
        }
        for (JsonNode element : node.isArray() ? node : List.<JsonNode>of()) {
            if (hasBrokenUnicode(element)) {
                return true;
            }
        }
        return false;
    }

    public String field(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    public RequestValidationException.Collector errors() {
        return errors;
    }

    public boolean has(String name) {
        return node.has(name) && !node.get(name).isNull();
    }

    public void allowOnly(Set<String> names) {
        String message = "Unknown field. Allowed: " + String.join(", ", new TreeSet<>(names)) + ".";
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!names.contains(name)) {
                errors.add(field(name), message); // past the first twenty only counted
            }
        }
    }

    /**
     * A string field, or null when absent, by {@link TextRules}: at most {@code maxLength} characters
     * (code points); control characters refused unless {@code multiline} (then CR, LF and tab pass);
     * bidirectional embedding/override/isolate controls refused in single-line text.
     */
    public String string(String name, boolean required, int maxLength, boolean multiline) {
        String text = text(name, required, maxLength);
        if (text == null) {
            return null;
        }
        if (TextRules.hasControl(text, multiline)) {
            errors.add(field(name), multiline ? "Control characters other than line breaks and tabs are not allowed."
                    : "Control characters (such as CR or LF) are not allowed.");
            return null;
        }
        if (!multiline && TextRules.hasBidiControl(text)) {
            errors.add(field(name), "Bidirectional override, embedding or isolate characters (U+202A-U+202E, U+2066-U+2069) are not "
                    + "allowed here: they can make the text display differently from what it is.");
            return null;
        }
        return text;
    }

    /**
     * Bytes sent as base64 (standard alphabet, padded, no line breaks). The text rules of {@link #string} are not run:
     * they would read megabytes of attachment character by character, and the decoder refuses every character outside
     * the base64 alphabet, control and bidirectional characters included.
     */
    public byte[] base64(String name, boolean required, int maxLength) {
        String text = text(name, required, maxLength);
        if (text == null) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            errors.add(field(name), "Is not valid base64 (standard alphabet, padded, no line breaks).");
            return null;
        }
    }

    /** The field's text if it is a string of at most {@code maxLength} code points; otherwise null, and the error noted. */
    private String text(String name, boolean required, int maxLength) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            if (required) {
                errors.add(field(name), "Required.");
            }
            return null;
        }
        if (!value.isTextual()) {
            errors.add(field(name), "Must be a string.");
            return null;
        }
        String text = value.asText();
        if (text.length() > maxLength && TextRules.length(text) > maxLength) {
            errors.add(field(name), "At most " + maxLength + " characters.");
            return null;
        }
        return text;
    }

    public Boolean bool(String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            errors.add(field(name), "Must be true or false.");
            return null;
        }
        return value.asBoolean();
    }

    public Integer integer(String name, int min, int max) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        // canConvertToInt first: asLong() keeps only the low 64 bits of a larger number (2^64 would pass as 0)
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < min || value.asInt() > max) {
            errors.add(field(name), "Must be a whole number from " + min + " to " + max + ".");
            return null;
        }
        return value.asInt();
    }

    /** An object field as its own reader, or null when absent or not an object (then an error is recorded). */
    public JsonFields object(String name, boolean required) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            if (required) {
                errors.add(field(name), "Required.");
            }
            return null;
        }
        if (!value.isObject()) {
            errors.add(field(name), "Must be an object.");
            return null;
        }
        return new JsonFields(value, field(name), errors);
    }

    /** The elements of an array field (empty when absent); {@code maxItems} bounds it. */
    public List<JsonNode> array(String name, int maxItems) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            errors.add(field(name), "Must be an array.");
            return List.of();
        }
        if (value.size() > maxItems) {
            errors.add(field(name), "At most " + maxItems + " items.");
            return List.of();
        }
        List<JsonNode> items = new ArrayList<>();
        value.forEach(items::add);
        return items;
    }

    public JsonNode raw(String name) {
        return node.get(name);
    }
}
