package io.m365connector.platform;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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

    /** Parses a request body that must be a JSON object; throws a 400 with one error otherwise. */
    public static JsonNode parseObject(String body) {
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(body == null ? "" : body);
        } catch (Exception e) {
            throw new RequestValidationException(List.of(new RequestValidationException.FieldError("", "The body is not valid JSON.")));
        }
        if (json == null || !json.isObject()) {
            throw new RequestValidationException(List.of(new RequestValidationException.FieldError("", "The body must be a JSON object.")));
        }
        return json;
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
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!names.contains(name)) {
                errors.add(field(name), "Unknown field. Allowed: " + String.join(", ", new TreeSet<>(names)) + ".");
            }
        }
    }

    /** A string field, or null when absent. Control characters are refused unless {@code multiline} (then only CR, LF and tab pass). */
    public String string(String name, boolean required, int maxLength, boolean multiline) {
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
        if (text.length() > maxLength) {
            errors.add(field(name), "At most " + maxLength + " characters.");
            return null;
        }
        boolean badControl = text.chars().anyMatch(c -> (Character.isISOControl(c) && !(multiline && (c == '\r' || c == '\n' || c == '\t')))
                || c == 0x2028 || c == 0x2029);
        if (badControl) {
            errors.add(field(name), multiline ? "Control characters other than line breaks and tabs are not allowed."
                    : "Control characters (such as CR or LF) are not allowed.");
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
        if (!value.isIntegralNumber() || value.asLong() < min || value.asLong() > max) {
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
