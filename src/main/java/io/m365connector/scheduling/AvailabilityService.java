package io.m365connector.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.graph.GraphAccess;
import io.m365connector.graph.GraphSession;
import io.m365connector.graph.GraphValues;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
    /** Graph's dayOfWeek members, as the SDK's enum wrote them. */
    private static final List<String> DAYS = List.of("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday");

    private final GraphAccess graph;

    AvailabilityService(GraphAccess graph) {
        this.graph = Objects.requireNonNull(graph, "'graph' cannot be null.");
    }

    public Availability get(ConnectionRef ref, AvailabilityRequest request) {
        GraphSession session = graph.open(ref, Schedules.PERMISSIONS);
        String connectionId = session.connectionId();
        Window window = request.window();
        List<JsonNode> infos = Schedules.fetch(session, request.schedules(), window, request.intervalMinutes(), window.timeZone());
        List<Availability.Schedule> schedules = new ArrayList<>();
        for (JsonNode info : infos) {
            schedules.add(schedule(info));
        }
        return new Availability(connectionId, window.timeZone(), window.local(window.startInstant()), window.local(window.endInstant()),
                request.intervalMinutes(), schedules, merge(schedules, window, request.intervalMinutes()));
    }

    /** One scheduleInformation; statuses in Graph's camelCase whatever case Graph wrote them in ({@link FreeBusy#status}). */
    static Availability.Schedule schedule(JsonNode info) {
        String address = GraphValues.text(info, "scheduleId");
        if (info.hasNonNull("error")) {
            JsonNode error = info.get("error");
            return new Availability.Schedule(address, null, null, null,
                    new Availability.Error(GraphValues.text(error, "responseCode"), GraphValues.text(error, "message")));
        }
        List<Availability.Item> items = new ArrayList<>();
        for (JsonNode item : GraphValues.list(info, "scheduleItems")) {
            String status = FreeBusy.status(GraphValues.text(item, "status"));
            items.add(new Availability.Item(status == null ? "unknown" : status, Window.normalize(item.path("start")),
                    Window.normalize(item.path("end")), GraphValues.text(item, "subject"), GraphValues.text(item, "location"),
                    GraphValues.bool(item, "isPrivate")));
        }
        return new Availability.Schedule(address, GraphValues.text(info, "availabilityView"), List.copyOf(items),
                workingHours(info.path("workingHours")), null);
    }

    private static Availability.WorkingHours workingHours(JsonNode wh) {
        LocalTime start = FreeBusy.timeOfDay(GraphValues.text(wh, "startTime"));
        LocalTime end = FreeBusy.timeOfDay(GraphValues.text(wh, "endTime"));
        if (start == null || end == null) {
            return null;
        }
        List<String> days = GraphValues.list(wh, "daysOfWeek").stream().map(d -> d.asText().toLowerCase(Locale.ROOT))
                .filter(DAYS::contains).toList();
        return new Availability.WorkingHours(days, TIME_OF_DAY.format(start), TIME_OF_DAY.format(end),
                GraphValues.text(wh.path("timeZone"), "name"));
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
}
