package io.m365connector.scheduling;

import com.microsoft.graph.models.CustomTimeZone;
import com.microsoft.graph.models.FreeBusyStatus;
import com.microsoft.graph.models.ScheduleInformation;
import com.microsoft.graph.models.ScheduleItem;
import com.microsoft.graph.models.TimeZoneBase;
import io.m365connector.outlook.TimeZones;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One schedule from getSchedule (asked in UTC) as the meeting-time computation reads it: its blocks,
 * its working hours, or that Graph could not read it (then its availability is unknown).
 */
record FreeBusy(String address, boolean unknown, List<Block> blocks, Hours hours) {
    /** Statuses from most to least available; a block's status counts where it overlaps. */
    private static final List<String> ORDER = List.of("free", "workingElsewhere", "tentative", "busy", "oof");

    record Block(Instant start, Instant end, String status) {
    }

    /** Working hours: these days, from start to end, in the owner's zone. */
    record Hours(Set<DayOfWeek> days, LocalTime start, LocalTime end, ZoneId zone) {
    }

    static FreeBusy of(ScheduleInformation info) {
        if (info.getError() != null) {
            return new FreeBusy(info.getScheduleId(), true, List.of(), null);
        }
        List<Block> blocks = new ArrayList<>();
        if (info.getScheduleItems() != null) {
            for (ScheduleItem item : info.getScheduleItems()) {
                String status = item.getStatus() == null ? FreeBusyStatus.Busy.getValue() : item.getStatus().getValue();
                blocks.add(new Block(utc(item.getStart().getDateTime()), utc(item.getEnd().getDateTime()), status));
            }
        }
        return new FreeBusy(info.getScheduleId(), false, List.copyOf(blocks), hours(info));
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
        ZonedDateTime from = start.atZone(hours.zone());
        LocalDateTime to = end.atZone(hours.zone()).toLocalDateTime();
        LocalDateTime dayStart = from.toLocalDate().atTime(hours.start());
        LocalDateTime dayEnd = hours.end().equals(LocalTime.MIDNIGHT) ? from.toLocalDate().plusDays(1).atStartOfDay()
                : from.toLocalDate().atTime(hours.end());
        boolean day = activityDomain.equals("personal") || hours.days().contains(from.getDayOfWeek());
        return day && !from.toLocalDateTime().isBefore(dayStart) && !to.isAfter(dayEnd);
    }

    private static Hours hours(ScheduleInformation info) {
        var wh = info.getWorkingHours();
        if (wh == null || wh.getStartTime() == null || wh.getEndTime() == null || wh.getDaysOfWeek() == null) {
            return null;
        }
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (var d : wh.getDaysOfWeek()) {
            days.add(DayOfWeek.valueOf(d.getValue().toUpperCase(Locale.ROOT)));
        }
        return new Hours(days, wh.getStartTime(), wh.getEndTime(), zone(wh.getTimeZone()));
    }

    /** A named zone Graph knows, else a custom zone's standard bias (minutes behind UTC), else UTC. */
    private static ZoneId zone(TimeZoneBase zone) {
        if (zone != null && zone.getName() != null) {
            var named = TimeZones.resolve(zone.getName());
            if (named.isPresent()) {
                return named.get();
            }
        }
        if (zone instanceof CustomTimeZone custom && custom.getBias() != null) {
            return ZoneOffset.ofTotalSeconds(-custom.getBias() * 60);
        }
        return ZoneOffset.UTC;
    }

    private static Instant utc(String dateTime) {
        return LocalDateTime.parse(dateTime).toInstant(ZoneOffset.UTC);
    }
}
