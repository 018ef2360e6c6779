package io.m365connector.scheduling;

import com.microsoft.graph.models.DateTimeTimeZone;
import com.microsoft.graph.models.DayOfWeek;
import com.microsoft.graph.models.ScheduleInformation;
import com.microsoft.graph.models.ScheduleItem;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.graph.GraphAccess;
import io.m365connector.graph.GraphSession;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Free/busy of people and rooms through Graph's getSchedule (all four clouds), answered in the
 * request's time zone, with a merged view: per slot the least available status, and the periods in
 * which everyone is free.
 */
public final class AvailabilityService {
    /** Availability digits from most to least available: free, working elsewhere, tentative, busy, out of office. */
    private static final String SEVERITY = "04123";
    private static final DateTimeFormatter TIME_OF_DAY = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final GraphAccess graph;

    AvailabilityService(GraphAccess graph) {
        this.graph = Objects.requireNonNull(graph, "'graph' cannot be null.");
    }

    public Availability get(ConnectionRef ref, AvailabilityRequest request) {
        GraphSession session = graph.open(ref, Schedules.PERMISSIONS);
        String connectionId = session.connectionId();
        Window window = request.window();
        List<ScheduleInformation> infos = Schedules.fetch(session, request.schedules(), window, request.intervalMinutes(),
                window.timeZone());
        List<Availability.Schedule> schedules = new ArrayList<>();
        for (ScheduleInformation info : infos) {
            schedules.add(schedule(info));
        }
        return new Availability(connectionId, window.timeZone(), window.local(window.startInstant()), window.local(window.endInstant()),
                request.intervalMinutes(), schedules, merge(schedules, window, request.intervalMinutes()));
    }

    private static Availability.Schedule schedule(ScheduleInformation info) {
        if (info.getError() != null) {
            return new Availability.Schedule(info.getScheduleId(), null, null, null,
                    new Availability.Error(info.getError().getResponseCode(), info.getError().getMessage()));
        }
        List<Availability.Item> items = new ArrayList<>();
        if (info.getScheduleItems() != null) {
            for (ScheduleItem item : info.getScheduleItems()) {
                items.add(new Availability.Item(item.getStatus() == null ? "unknown" : item.getStatus().getValue(), local(item.getStart()),
                        local(item.getEnd()), item.getSubject(), item.getLocation(), item.getIsPrivate()));
            }
        }
        Availability.WorkingHours hours = null;
        if (info.getWorkingHours() != null && info.getWorkingHours().getStartTime() != null) {
            var wh = info.getWorkingHours();
            List<String> days = wh.getDaysOfWeek() == null ? List.of() : wh.getDaysOfWeek().stream().map(DayOfWeek::getValue).toList();
            hours = new Availability.WorkingHours(days, TIME_OF_DAY.format(wh.getStartTime()), TIME_OF_DAY.format(wh.getEndTime()),
                    wh.getTimeZone() == null ? null : wh.getTimeZone().getName());
        }
        return new Availability.Schedule(info.getScheduleId(), info.getAvailabilityView(), List.copyOf(items), hours, null);
    }

    /** Puts the readable schedules together slot by slot; a schedule Graph returned an error for is listed as unreadable. */
    static Availability.Merged merge(List<Availability.Schedule> schedules, Window window, int intervalMinutes) {
        List<String> unreadable = new ArrayList<>();
        List<String> views = new ArrayList<>();
        for (Availability.Schedule s : schedules) {
            if (s.error() != null || s.availabilityView() == null) {
                unreadable.add(s.address());
            } else {
                views.add(s.availabilityView());
            }
        }
        Duration slot = Duration.ofMinutes(intervalMinutes);
        int slots = (int) ((window.length().toMinutes() + intervalMinutes - 1) / intervalMinutes);
        StringBuilder merged = new StringBuilder();
        List<Availability.Slot> free = new ArrayList<>();
        Instant freeSince = null;
        for (int i = 0; i < slots && !views.isEmpty(); i++) {
            char worst = '0';
            for (String view : views) {
                char c = i < view.length() ? view.charAt(i) : '0';
                worst = SEVERITY.indexOf(c) > SEVERITY.indexOf(worst) ? c : worst;
            }
            merged.append(worst);
            Instant slotStart = window.startInstant().plus(slot.multipliedBy(i));
            boolean isFree = worst == '0' || worst == '4';
            if (isFree && freeSince == null) {
                freeSince = slotStart;
            } else if (!isFree && freeSince != null) {
                free.add(new Availability.Slot(window.local(freeSince), window.local(slotStart)));
                freeSince = null;
            }
        }
        if (freeSince != null) {
            free.add(new Availability.Slot(window.local(freeSince), window.local(window.endInstant())));
        }
        return new Availability.Merged(views.isEmpty() ? null : merged.toString(), List.copyOf(free), List.copyOf(unreadable));
    }

    private static String local(DateTimeTimeZone time) {
        return time == null || time.getDateTime() == null ? null : Window.normalize(time.getDateTime());
    }
}
