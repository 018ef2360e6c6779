package io.m365connector.reading;

import io.m365connector.outlook.TimeZones;
import io.m365connector.outlook.ZonedTime;
import io.m365connector.platform.RequestValidationException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * GET /connections/{id}/events: a time range in the caller's time zone (recurring events expanded into
 * their occurrences, as Graph's calendar view does), a page size of at most 100 and a cursor.
 *
 * @param start    the first instant of the range, in {@code timeZone}
 * @param timeZone the zone the range is given in and the events' times are answered in (Windows or IANA name)
 */
public record EventQuery(Mailbox mailbox, LocalDateTime start, LocalDateTime end, String timeZone, ZoneId zone, int pageSize, int skip) {
    public static final int MAX_PAGE_SIZE = 100;
    /** Graph refuses longer calendar views (observed: "Maximum number of days: 1825"; not on the Learn pages). */
    public static final Duration MAX_RANGE = Duration.ofDays(1825);
    static final int DEFAULT_PAGE_SIZE = 50;
    private static final Set<String> PARAMETERS = Set.of("start", "end", "timeZone", "pageSize", "cursor", "code", Mailbox.PARAMETER);

    public static EventQuery parse(Map<String, String> query) {
        QueryParameters p = new QueryParameters(query, PARAMETERS, new RequestValidationException.Collector());
        Mailbox mailbox = Mailbox.parse(p);
        String timeZone = p.text("timeZone") == null ? "UTC" : p.text("timeZone");
        Optional<ZoneId> zone = TimeZones.resolve(timeZone);
        if (zone.isEmpty()) {
            p.errors().add("timeZone", "Unknown time zone '" + timeZone + "'. Use a Windows name (Pacific Standard Time) or an IANA name.");
        }
        LocalDateTime start = existing(local(p, "start"), zone, timeZone, p, "start");
        LocalDateTime end = existing(local(p, "end"), zone, timeZone, p, "end");
        if (start != null && end != null && zone.isPresent()) {
            Duration range = Duration.between(start.atZone(zone.get()), end.atZone(zone.get()));
            if (range.isNegative() || range.isZero()) {
                p.errors().add("end", "Must be after start.");
            } else if (range.compareTo(MAX_RANGE) > 0) {
                p.errors().add("end", "At most " + MAX_RANGE.toDays() + " days after start (Microsoft Graph's limit).");
            }
        }
        int pageSize = p.number("pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
        String fingerprint = fingerprint(mailbox, start, end, timeZone, pageSize);
        int skip = PageCursor.skip(p.text("cursor"), fingerprint, p.errors());
        p.errors().throwIfAny();
        return new EventQuery(mailbox, start, end, timeZone, zone.orElseThrow(), pageSize, skip);
    }

    /** As for an event's times (ZonedTime): a time the clocks skip in the zone is refused, not moved by an hour. */
    private static LocalDateTime existing(LocalDateTime time, Optional<ZoneId> zone, String timeZone, QueryParameters p, String name) {
        if (time != null && zone.isPresent() && zone.get().getRules().getValidOffsets(time).isEmpty()) {
            p.errors().add(name, time + " does not exist in " + timeZone + ": the clocks move forward over it "
                    + "(daylight saving time starts). Choose a time outside the change.");
            return null;
        }
        return time;
    }

    private static LocalDateTime local(QueryParameters p, String name) {
        String value = p.text(name);
        if (value == null) {
            p.errors().add(name, "Required: a local date and time like 2026-12-01T00:00:00 (the zone goes in timeZone).");
            return null;
        }
        try {
            LocalDateTime time = LocalDateTime.parse(value);
            if (time.isBefore(ZonedTime.EARLIEST) || time.isAfter(ZonedTime.LATEST)) {
                // refused before the range is measured: at the year's limits the zone's offset cannot be applied
                p.errors().add(name, "Must be between " + ZonedTime.EARLIEST + " and " + ZonedTime.LATEST + ", as for an event's times.");
                return null;
            }
            return time;
        } catch (DateTimeParseException e) {
            p.errors().add(name, "Must be a local date and time like 2026-12-01T00:00:00 (the zone goes in timeZone).");
            return null;
        }
    }

    /** The range's ends as Graph's calendarView takes them: UTC instants. */
    String startUtc() {
        return start.atZone(zone).toInstant().toString();
    }

    String endUtc() {
        return end.atZone(zone).toInstant().toString();
    }

    String cursorFor(int nextSkip) {
        return PageCursor.of(nextSkip, fingerprint(mailbox, start, end, timeZone, pageSize));
    }

    private static String fingerprint(Mailbox mailbox, LocalDateTime start, LocalDateTime end, String timeZone, int pageSize) {
        return PageCursor.fingerprint(mailbox.fingerprint() + "\n" + start + "\n" + end + "\n" + timeZone + "\n" + pageSize);
    }
}
