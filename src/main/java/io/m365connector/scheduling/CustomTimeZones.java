package io.m365connector.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.graph.GraphValues;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.Month;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneOffsetTransitionRule;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A {@code customTimeZone} of Graph (a mailbox's working hours in a zone Exchange names "Customized Time Zone") as rules:
 * its bias, and its yearly switches to and from daylight saving time. Learn's getSchedule example (calendar: getSchedule)
 * gives Pacific time as bias 480, standardOffset the first Sunday of November at 02:00, daylightOffset daylightBias -60
 * the second Sunday of March at 02:00: the bias is Windows', minutes to add to local time for UTC (the customTimeZone
 * page states the opposite sign; the example is what Exchange sends).
 */
final class CustomTimeZones {
    private CustomTimeZones() {
    }

    /** The zone's rules, or empty when it has no bias to go by; switches that cannot be read leave the standard offset. */
    static Optional<ZoneRules> rules(JsonNode zone) {
        if (zone == null || !zone.path("bias").isNumber()) {
            return Optional.empty();
        }
        int bias = zone.get("bias").asInt();
        ZoneOffset standard;
        ZoneOffset daylight;
        try {
            standard = offset(bias + zone.path("standardOffset").path("bias").asInt(0));
            daylight = offset(bias + zone.path("daylightOffset").path("daylightBias").asInt(0));
        } catch (DateTimeException e) {
            return Optional.empty(); // an offset beyond ±18 h: not a zone to go by
        }
        Optional<ZoneOffsetTransitionRule> toDaylight = rule(zone.path("daylightOffset"), standard, standard, daylight);
        Optional<ZoneOffsetTransitionRule> toStandard = rule(zone.path("standardOffset"), standard, daylight, standard);
        if (toDaylight.isEmpty() || toStandard.isEmpty()) {
            return Optional.of(ZoneRules.of(standard));
        }
        // ZoneRules takes its yearly rules in the order they apply within a year (south of the equator daylight time starts
        // in the later month), and applies them only after its last listed transition: one year's are listed, far back.
        List<ZoneOffsetTransitionRule> yearly = new ArrayList<>(List.of(toDaylight.get(), toStandard.get()));
        yearly.sort(Comparator.comparing(r -> r.createTransition(2000).getInstant()));
        List<ZoneOffsetTransition> first = yearly.stream().map(r -> r.createTransition(1900)).toList();
        return Optional.of(ZoneRules.of(standard, first.get(0).getOffsetBefore(), List.of(), first, yearly));
    }

    private static ZoneOffset offset(int biasMinutes) {
        return ZoneOffset.ofTotalSeconds(-biasMinutes * 60);
    }

    /**
     * A switch on the {@code dayOccurrence}th {@code dayOfWeek} of {@code month} (5: the last) at local {@code time}; empty
     * when there is none (no daylight time) or it cannot be read. Windows writes the end of a day as 23:59:59.999 (taken
     * to the second) or 24:00.
     */
    private static Optional<ZoneOffsetTransitionRule> rule(JsonNode at, ZoneOffset standard, ZoneOffset before, ZoneOffset after) {
        int month = at.path("month").asInt(0);
        int occurrence = at.path("dayOccurrence").asInt(0);
        String day = GraphValues.text(at, "dayOfWeek");
        String time = GraphValues.text(at, "time");
        if (month < 1 || month > 12 || occurrence < 1 || occurrence > 5 || day == null || time == null || before.equals(after)) {
            return Optional.empty();
        }
        try {
            boolean endOfDay = time.startsWith("24:00");
            LocalTime wallTime = endOfDay ? LocalTime.MIDNIGHT : LocalTime.parse(time).truncatedTo(ChronoUnit.SECONDS);
            int dayIndicator = occurrence == 5 ? -1 : 1 + 7 * (occurrence - 1);
            return Optional.of(ZoneOffsetTransitionRule.of(Month.of(month), dayIndicator, DayOfWeek.valueOf(day.toUpperCase(Locale.ROOT)),
                    wallTime, endOfDay, ZoneOffsetTransitionRule.TimeDefinition.WALL, standard, before, after));
        } catch (DateTimeException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
