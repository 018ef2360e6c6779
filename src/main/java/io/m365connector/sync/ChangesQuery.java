package io.m365connector.sync;

import io.m365connector.platform.RequestValidationException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * GET /connections/{id}/changes: the cursor a web app stored ({@code nextCursor} of its last read;
 * none for the start of what the feed still holds) and how many changes at most (1-500, default 100).
 */
public record ChangesQuery(long after, int limit) {
    public static final int MAX_LIMIT = 500;
    private static final Pattern CURSOR = Pattern.compile("s(\\d{1,18})");
    private static final Set<String> PARAMETERS = Set.of("cursor", "limit", "code");

    public static ChangesQuery parse(Map<String, String> query) {
        RequestValidationException.Collector errors = new RequestValidationException.Collector();
        for (String name : query.keySet()) {
            if (!PARAMETERS.contains(name)) {
                errors.add(name, "Unknown parameter. Allowed: " + String.join(", ", new TreeSet<>(PARAMETERS)) + ".");
            }
        }
        long after = 0;
        String cursor = query.get("cursor");
        if (cursor != null && !cursor.isEmpty()) { // empty: the start, as on the read API's listings
            var m = CURSOR.matcher(cursor);
            if (m.matches()) {
                after = Long.parseLong(m.group(1));
            } else {
                errors.add("cursor", "Not a cursor: pass nextCursor of the previous read unchanged.");
            }
        }
        int limit = 100;
        String rawLimit = query.get("limit");
        if (rawLimit != null) {
            try {
                limit = Integer.parseInt(rawLimit);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                errors.add("limit", "Must be a whole number from 1 to " + MAX_LIMIT + ".");
            }
        }
        errors.throwIfAny();
        return new ChangesQuery(after, limit);
    }

    static String cursor(long sequence) {
        return "s" + sequence;
    }
}
