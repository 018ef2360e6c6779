package io.m365connector.reading;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.microsoft.graph.models.DateTimeTimeZone;
import com.microsoft.graph.models.Event;
import java.util.Locale;

/**
 * One event or occurrence of a recurring event in a calendar view, with times in the zone asked for.
 *
 * @param type           {@code singleInstance}, {@code occurrence}, {@code exception} or {@code seriesMaster}
 * @param seriesMasterId the recurring series an occurrence belongs to
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventSummary(String id, String subject, Time start, Time end, Boolean isAllDay, String location,
                           MessageSummary.Address organizer, Boolean isOrganizer, Boolean isCancelled, String showAs, String type,
                           String seriesMasterId, String onlineMeetingUrl) {
    static final String[] SELECT = {"id", "subject", "start", "end", "isAllDay", "location", "organizer", "isOrganizer", "isCancelled",
        "showAs", "type", "seriesMasterId", "onlineMeeting"};

    /** A local date-time and its zone, as Graph gives them. */
    public record Time(String dateTime, String timeZone) {
        static Time of(DateTimeTimeZone t) {
            return t == null ? null : new Time(t.getDateTime(), t.getTimeZone());
        }
    }

    static EventSummary of(Event e) {
        return new EventSummary(e.getId(), e.getSubject(), Time.of(e.getStart()), Time.of(e.getEnd()), e.getIsAllDay(),
                e.getLocation() == null ? null : e.getLocation().getDisplayName(), MessageSummary.Address.of(e.getOrganizer()),
                e.getIsOrganizer(), e.getIsCancelled(), e.getShowAs() == null ? null : lowerFirst(e.getShowAs().getValue()),
                e.getType() == null ? null : e.getType().getValue(), e.getSeriesMasterId(),
                e.getOnlineMeeting() == null ? null : e.getOnlineMeeting().getJoinUrl());
    }

    private static String lowerFirst(String value) {
        return value.isEmpty() ? value : value.substring(0, 1).toLowerCase(Locale.ROOT) + value.substring(1);
    }
}
