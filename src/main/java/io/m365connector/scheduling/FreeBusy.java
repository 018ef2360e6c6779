package io.m365connector.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.graph.GraphValues;
import io.m365connector.outlook.TimeZones;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One schedule from getSchedule (asked in UTC) as the meeting-time computation reads it: its blocks,
 * its working hours, or that Graph could not read it (then its availability is unknown).
 */
record FreeBusy(String address, boolean unknown, List<Block> blocks, Hours hours) {
    /** Statuses from most to least available; a block's status counts where it overlaps. */
    private static final List<String> ORDER = List.of("free", "workingElsewhere", "tentative", "busy", "oof");
    /** Graph's freeBusyStatus members. */
    private static final List<String> STATUSES = List.of("free", "workingElsewhere", "tentative", "busy", "oof", "unknown");

    record Block(Instant start, Instant end, String status) {
    }

    /** Working hours: these days, from start to end, in the owner's zone (its rules: a custom zone has no id). */
    record Hours(Set<DayOfWeek> days, LocalTime start, LocalTime end, ZoneRules zone) {
    }

    /**
     * Graph's freeBusyStatus member named by {@code value} in any letter case, else null. Learn's getSchedule page shows
     * items as {@code "Tentative"}, {@code "Busy"} (Get free/busy schedule of users and resources), Graph's metadata and
     * answers seen in the field as {@code "busy"}, {@code "workingElsewhere"} (msgraph-metadata#598): both are read.
     */
    static String status(String value) {
        return value == null ? null : STATUSES.stream().filter(s -> s.equalsIgnoreCase(value)).findFirst().orElse(null);
    }

    static FreeBusy of(JsonNode info) {
        String address = GraphValues.text(info, "scheduleId");
        if (info.hasNonNull("error")) {
            return new FreeBusy(address, true, List.of(), null);
        }
        List<Block> blocks = new ArrayList<>();
        for (JsonNode item : GraphValues.list(info, "scheduleItems")) {
            Instant start = utc(item.path("start"));
            Instant end = utc(item.path("end"));
            String status = status(GraphValues.text(item, "status"));
            if (start != null && end != null) { // a block of a status Graph adds later counts as busy, as an unreadable one did
                blocks.add(new Block(start, end, status == null || status.equals("unknown") ? "busy" : status));
            }
        }
        return new FreeBusy(address, false, List.copyOf(blocks), hours(info.path("workingHours")));
    }

    /** free | workingElsewhere | tentative | busy | oof over the period (the least available wins), or unknown. */
    String availability(Instant start, Instant end) {
        if (unknown) {
            return "unknown";
        }
        int worst = 0;
        for (Block b : blocks) {
            if (b.start().isBefore(end) && b.end().isAfter(start)) {
                worst = Math.max(worst, ORDER.indexOf(b.status()));
            }
        }
        return ORDER.get(worst);
    }

    static boolean isFree(String availability) {
        return availability.equals("free") || availability.equals("workingElsewhere");
    }

    /**
     * Whether the period lies within the working hours the activity domain asks for: work = the working
     * days, personal = every day, both within the working times; unrestricted = always. A schedule
     * without working hours (unreadable, or none set) does not restrict.
     */
    boolean allows(Instant start, Instant end, String activityDomain) {
        if (hours == null || activityDomain.equals("unrestricted")) {
            return true;
        }
        LocalDateTime from = local(start);
        LocalDateTime to = local(end);
        LocalDateTime dayStart = from.toLocalDate().atTime(hours.start());
        LocalDateTime dayEnd = hours.end().equals(LocalTime.MIDNIGHT) ? from.toLocalDate().plusDays(1).atStartOfDay()
                : from.toLocalDate().atTime(hours.end());
        boolean day = activityDomain.equals("personal") || hours.days().contains(from.getDayOfWeek());
        return day && !from.isBefore(dayStart) && !to.isAfter(dayEnd);
    }

    private LocalDateTime local(Instant t) {
        return LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), hours.zone().getOffset(t));
    }

    private static Hours hours(JsonNode wh) {
        LocalTime start = timeOfDay(GraphValues.text(wh, "startTime"));
        LocalTime end = timeOfDay(GraphValues.text(wh, "endTime"));
        List<JsonNode> names = GraphValues.list(wh, "daysOfWeek");
        if (start == null || end == null || !wh.path("daysOfWeek").isArray()) {
            return null;
        }
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (JsonNode d : names) {
            try {
                days.add(DayOfWeek.valueOf(d.asText().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException notADay) {
                // a member Graph adds later names no day the computation can use
            }
        }
        return new Hours(days, start, end, zone(wh.path("timeZone")));
    }

    /** A named zone Graph knows, else a custom zone's rules (bias and daylight saving time), else UTC. */
    private static ZoneRules zone(JsonNode zone) {
        String name = GraphValues.text(zone, "name");
        if (name != null) {
            var named = TimeZones.resolve(name);
            if (named.isPresent()) {
                return named.get().getRules();
            }
        }
        Optional<ZoneRules> custom = CustomTimeZones.rules(zone);
        return custom.orElse(ZoneOffset.UTC.getRules());
    }

    /** A workingHours start or end time ("08:00:00.0000000"), or null when it is none. */
    static LocalTime timeOfDay(String value) {
        try {
            return value == null ? null : LocalTime.parse(value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Instant utc(JsonNode time) {
        String dateTime = GraphValues.text(time, "dateTime");
        try {
            return dateTime == null ? null : LocalDateTime.parse(dateTime).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
