package io.m365connector.outlook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.graph.models.DateTimeTimeZone;
import io.m365connector.platform.Json;
import io.m365connector.platform.JsonFields;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;

/**
 * A local date-time in a time zone Graph knows (Windows or IANA name), as events, free/busy windows
 * and calendar views take it: {@code {"dateTime": "2026-12-01T09:30:00", "timeZone": "Pacific Standard Time"}}.
 */
public record ZonedTime(LocalDateTime dateTime, String timeZone, ZoneId zone) {
    /** Times outside this range are refused before Graph sees them (a typo such as year 0001 or 20260). */
    public static final LocalDateTime EARLIEST = LocalDateTime.of(1900, 1, 1, 0, 0);
    public static final LocalDateTime LATEST = LocalDateTime.of(2199, 12, 31, 23, 59, 59);
    private static final DateTimeFormatter GRAPH_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    public Instant instant() {
        return dateTime.atZone(zone).toInstant();
    }

    /** The local date-time as Graph writes it (seconds, no zone). */
    public String graphDateTime() {
        return GRAPH_TIME.format(dateTime);
    }

    /** As Graph takes it, in JSON: {@code {"dateTime": "2026-12-01T09:30:00", "timeZone": "<the zone name the caller gave>"}}. */
    public ObjectNode toJson() {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("dateTime", graphDateTime());
        node.put("timeZone", timeZone);
        return node;
    }

    /** As Graph takes it: the local date-time and the zone name the caller gave. */
    public DateTimeTimeZone toGraph() {
        DateTimeTimeZone d = new DateTimeTimeZone();
        d.setDateTime(graphDateTime());
        d.setTimeZone(timeZone);
        return d;
    }

    /** A {dateTime, timeZone} object at {@code name}: a local date-time and a time zone Graph knows; null with errors recorded when not. */
    public static ZonedTime parse(JsonFields json, String name, boolean required) {
        JsonFields t = json.object(name, required);
        if (t == null) {
            return null;
        }
        t.allowOnly(Set.of("dateTime", "timeZone"));
        String dateTime = t.string("dateTime", true, 40, false);
        String timeZone = t.string("timeZone", true, 100, false);
        if (dateTime == null || timeZone == null) {
            return null;
        }
        LocalDateTime local;
        try {
            local = LocalDateTime.parse(dateTime);
        } catch (DateTimeParseException e) {
            t.errors().add(t.field("dateTime"), "Must be a local date and time like 2026-12-01T09:30:00 (the zone goes in timeZone).");
            return null;
        }
        if (local.isBefore(EARLIEST) || local.isAfter(LATEST)) {
            t.errors().add(t.field("dateTime"), "Must be between " + EARLIEST.toLocalDate() + " and " + LATEST.toLocalDate() + ".");
            return null;
        }
        Optional<ZoneId> zone = TimeZones.resolve(timeZone);
        if (zone.isEmpty()) {
            t.errors().add(t.field("timeZone"), "Unknown time zone '" + timeZone
                    + "'. Use a Windows name (Pacific Standard Time) or an IANA name (America/Los_Angeles).");
            return null;
        }
        if (zone.get().getRules().getValidOffsets(local).isEmpty()) {
            t.errors().add(t.field("dateTime"), local + " does not exist in " + timeZone + ": the clocks move forward over it "
                    + "(daylight saving time starts). Choose a time outside the change.");
            return null;
        }
        return new ZonedTime(local, timeZone, zone.get());
    }
}
