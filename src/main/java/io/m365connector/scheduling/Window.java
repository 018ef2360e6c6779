package io.m365connector.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.graph.GraphValues;
import io.m365connector.outlook.TimeZones;
import io.m365connector.outlook.ZonedTime;
import io.m365connector.platform.JsonFields;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The period a free/busy lookup or a meeting search covers, and the time zone the answer is written
 * in ({@code timeZone}, else the zone of {@code start}). Graph looks up less than 62 days at once.
 *
 * @param timeZone the answer's zone as the caller named it (Windows or IANA), sent to Graph as
 *                 {@code Prefer: outlook.timezone}
 */
public record Window(ZonedTime start, ZonedTime end, String timeZone, ZoneId zone) {
    /** getSchedule: "The time period to look up must be less than 62 days." */
    public static final Duration MAX_LENGTH = Duration.ofDays(62);
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    /** Reads start, end and timeZone of a request body; null (with the errors recorded) when they are not valid. */
    static Window read(JsonFields json) {
        ZonedTime start = ZonedTime.parse(json, "start", true);
        ZonedTime end = ZonedTime.parse(json, "end", true);
        String timeZone = json.string("timeZone", false, 100, false);
        Optional<ZoneId> zone = Optional.empty();
        if (timeZone != null) {
            zone = TimeZones.resolve(timeZone);
            if (zone.isEmpty()) {
                json.errors().add("timeZone", "Unknown time zone '" + timeZone
                        + "'. Use a Windows name (Pacific Standard Time) or an IANA name (America/Los_Angeles).");
            }
        }
        if (start == null || end == null) {
            return null;
        }
        if (!start.instant().isBefore(end.instant())) {
            json.errors().add("end", "Must be after start.");
            return null;
        }
        if (!Duration.between(start.instant(), end.instant()).minus(MAX_LENGTH).isNegative()) {
            json.errors().add("end", "The window must be shorter than 62 days (Microsoft Graph's limit for free/busy).");
            return null;
        }
        return new Window(start, end, timeZone == null ? start.timeZone() : timeZone, zone.orElse(start.zone()));
    }

    Instant startInstant() {
        return start.instant();
    }

    Instant endInstant() {
        return end.instant();
    }

    Duration length() {
        return Duration.between(startInstant(), endInstant());
    }

    /** A moment as a local date-time in the answer's zone, as Graph writes them (seconds, no fraction). */
    String local(Instant instant) {
        return LOCAL.format(LocalDateTime.ofInstant(instant, zone));
    }

    /** Graph's local date-time (it writes 7 fraction digits) in the API's form, without fraction. */
    /** Graph's {@code {dateTime, timeZone}} in an answer as the API's local date-time, or null without one. */
    static String normalize(JsonNode graphTime) {
        String dateTime = GraphValues.text(graphTime, "dateTime");
        return dateTime == null ? null : normalize(dateTime);
    }

    static String normalize(String graphDateTime) {
        try {
            return LOCAL.format(LocalDateTime.parse(graphDateTime));
        } catch (RuntimeException e) {
            return graphDateTime;
        }
    }
}
