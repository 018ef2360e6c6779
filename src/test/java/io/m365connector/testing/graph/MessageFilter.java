package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code $filter} clauses the fake understands on messages, joined with {@code and}:
 * {@code receivedDateTime ge|gt|le|lt <time>}, {@code from/emailAddress/address eq '<address>'},
 * {@code isRead eq true|false}, {@code hasAttachments eq true|false}. Anything else is refused by the caller
 * (400), so a new query in the connector fails loudly instead of being answered wrongly.
 *
 * @param properties the property of each clause, in order (for Graph's InefficientFilter rule)
 */
record MessageFilter(Predicate<JsonNode> test, List<String> properties) {
    private static final Pattern AND = Pattern.compile("\\s+and\\s+", Pattern.CASE_INSENSITIVE);
    private static final Pattern RECEIVED = Pattern.compile("receivedDateTime\\s+(ge|gt|le|lt)\\s+'?([^'\\s]+)'?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern FROM = Pattern.compile("from/emailAddress/address\\s+eq\\s+'((?:[^']|'')*)'", Pattern.CASE_INSENSITIVE);
    private static final Pattern FLAG = Pattern.compile("(isRead|hasAttachments)\\s+eq\\s+(true|false)", Pattern.CASE_INSENSITIVE);

    /** Every message passes. */
    static final MessageFilter NONE = new MessageFilter(m -> true, List.of());

    /** The filter, or null when some clause is not one the fake understands. */
    static MessageFilter parse(String filter) {
        if (filter == null || filter.isBlank()) {
            return NONE;
        }
        Predicate<JsonNode> all = m -> true;
        List<String> properties = new ArrayList<>();
        for (String clause : AND.split(filter.trim())) {
            Clause c = clause(clause.trim());
            if (c == null) {
                return null;
            }
            all = all.and(c.test());
            properties.add(c.property());
        }
        return new MessageFilter(all, List.copyOf(properties));
    }

    boolean matches(JsonNode message) {
        return test.test(message);
    }

    private record Clause(String property, Predicate<JsonNode> test) {
    }

    private static Clause clause(String text) {
        Matcher m = RECEIVED.matcher(text);
        if (m.matches()) {
            Instant bound = SyncValues.parseTime(m.group(2));
            if (bound == null) {
                return null;
            }
            String op = m.group(1).toLowerCase(java.util.Locale.ROOT);
            return new Clause("receivedDateTime", msg -> compare(SyncValues.parseTime(msg.path("receivedDateTime").asText(null)), bound, op));
        }
        m = FROM.matcher(text);
        if (m.matches()) {
            String address = m.group(1).replace("''", "'");
            return new Clause("from", msg -> address.equalsIgnoreCase(GraphJson.address(msg.get("from"))));
        }
        m = FLAG.matcher(text);
        if (m.matches()) {
            String property = m.group(1).equalsIgnoreCase("isRead") ? "isRead" : "hasAttachments";
            boolean value = Boolean.parseBoolean(m.group(2).toLowerCase(java.util.Locale.ROOT));
            return new Clause(property, msg -> msg.path(property).asBoolean(false) == value);
        }
        return null;
    }

    private static boolean compare(Instant received, Instant bound, String op) {
        if (received == null) {
            return false;
        }
        int c = received.compareTo(bound);
        return switch (op) {
            case "ge" -> c >= 0;
            case "gt" -> c > 0;
            case "le" -> c <= 0;
            default -> c < 0;
        };
    }
}
