package io.m365connector.platform;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * The one reader of {@code Retry-After} (RFC 9110 10.2.3) for every service the connector calls:
 * delta-seconds or an HTTP date. Values are capped so that a hostile or broken answer cannot park
 * work for days.
 */
public final class RetryAfter {
    /** Longest delay taken from a server; longer answers are cut to this. */
    public static final Duration MAX = Duration.ofHours(1);

    private RetryAfter() {
    }

    /** The delay a header value asks for; empty when absent or unreadable. */
    public static Optional<Duration> parse(String value, Clock clock) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? Optional.empty() : Optional.of(cap(Duration.ofSeconds(seconds)));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(clock.instant(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return Optional.of(cap(until.isNegative() ? Duration.ZERO : until));
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }

    /** The delay in a header map (any letter case of the name, first value). */
    public static Optional<Duration> fromHeaders(Map<String, ? extends Collection<String>> headers, Clock clock) {
        if (headers == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, ? extends Collection<String>> header : headers.entrySet()) {
            if ("Retry-After".equalsIgnoreCase(header.getKey()) && header.getValue() != null && !header.getValue().isEmpty()) {
                return parse(header.getValue().iterator().next(), clock);
            }
        }
        return Optional.empty();
    }

    private static Duration cap(Duration d) {
        return d.compareTo(MAX) > 0 ? MAX : d;
    }
}
