package io.m365connector.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.graph.GraphValues;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.Month;
import java.time.ZoneOffset;
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

    /** The zone's rules, or empty when it has no bias to go by. */
    static Optional<ZoneRules> rules(JsonNode zone) {
        if (zone == null || !zone.path("bias").isNumber()) {
            return Optional.empty();
        }
        int bias = zone.get("bias").asInt();
        try {
            ZoneOffset standard = offset(bias + zone.path("standardOffset").path("bias").asInt(0));
            JsonNode daylight = zone.path("daylightOffset");
            int daylightBias = daylight.path("daylightBias").asInt(0);
            Optional<ZoneOffsetTransitionRule> toDaylight = rule(daylight, standard, standard, offset(bias + daylightBias));
            Optional<ZoneOffsetTransitionRule> toStandard = rule(zone.path("standardOffset"), standard, offset(bias + daylightBias), standard);
            if (daylightBias == 0 || toDaylight.isEmpty() || toStandard.isEmpty()) {
                return Optional.of(ZoneRules.of(standard));
            }
            // ZoneRules applies its yearly rules only after its last listed transition: list one year's, far back.
            List<ZoneOffsetTransition> first = new ArrayList<>(List.of(toDaylight.get().createTransition(1900),
                    toStandard.get().createTransition(1900)));
            first.sort(Comparator.comparing(ZoneOffsetTransition::getInstant));
            return Optional.of(ZoneRules.of(standard, first.get(0).getOffsetBefore(), List.of(), first,
                    List.of(toDaylight.get(), toStandard.get())));
        } catch (DateTimeException | IllegalArgumentException e) {
            return Optional.empty(); // an offset beyond ±18 h, a month 13: not a zone to go by
        }
    }

    private static ZoneOffset offset(int biasMinutes) {
        return ZoneOffset.ofTotalSeconds(-biasMinutes * 60);
    }

    /** A switch on the {@code dayOccurrence}th {@code dayOfWeek} of {@code month} (5: the last) at local {@code time}. */
    private static Optional<ZoneOffsetTransitionRule> rule(JsonNode at, ZoneOffset standard, ZoneOffset before, ZoneOffset after) {
        int month = at.path("month").asInt(0);
        int occurrence = at.path("dayOccurrence").asInt(0);
        String day = GraphValues.text(at, "dayOfWeek");
        String time = GraphValues.text(at, "time");
        if (month < 1 || month > 12 || occurrence < 1 || occurrence > 5 || day == null || time == null || before.equals(after)) {
            return Optional.empty();
        }
        int dayIndicator = occurrence == 5 ? -1 : 1 + 7 * (occurrence - 1);
        return Optional.of(ZoneOffsetTransitionRule.of(Month.of(month), dayIndicator, DayOfWeek.valueOf(day.toUpperCase(Locale.ROOT)),
                LocalTime.parse(time), false, ZoneOffsetTransitionRule.TimeDefinition.WALL, standard, before, after));
    }
}
