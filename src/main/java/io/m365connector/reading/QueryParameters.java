package io.m365connector.reading;

import io.m365connector.platform.RequestValidationException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reads a listing's query parameters, each with one message style; unknown names are refused, not ignored. */
final class QueryParameters {
    private final Map<String, String> query;
    private final RequestValidationException.Collector errors;

    QueryParameters(Map<String, String> query, Set<String> allowed, RequestValidationException.Collector errors) {
        this.query = query;
        this.errors = errors;
        for (String name : query.keySet()) {
            if (!allowed.contains(name)) {
                errors.add(name, "Unknown parameter. Allowed: " + String.join(", ", new TreeSet<>(allowed)) + ".");
            }
        }
    }

    RequestValidationException.Collector errors() {
        return errors;
    }

    String text(String name) {
        String value = query.get(name);
        return value == null || value.isEmpty() ? null : value;
    }

    Boolean bool(String name) {
        String value = text(name);
        if (value == null) {
            return null;
        }
        if (!value.equals("true") && !value.equals("false")) {
            errors.add(name, "Must be true or false.");
            return null;
        }
        return Boolean.valueOf(value);
    }

    int number(String name, int defaultValue, int min, int max) {
        String value = text(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        errors.add(name, "Must be a whole number from " + min + " to " + max + ".");
        return defaultValue;
    }

    Instant instant(String name) {
        String value = text(name);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            errors.add(name, "Must be an instant like 2026-12-01T09:30:00Z.");
            return null;
        }
    }
}
