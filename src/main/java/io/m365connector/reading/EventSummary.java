package io.m365connector.reading;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.graph.GraphValues;

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
        static Time of(JsonNode t) {
            return t == null || t.isNull() ? null : new Time(GraphValues.text(t, "dateTime"), GraphValues.text(t, "timeZone"));
        }
    }

    /** From Graph's JSON for an event read with {@link #SELECT}. */
    static EventSummary of(JsonNode e) {
        JsonNode location = e.get("location");
        JsonNode meeting = e.get("onlineMeeting");
        return new EventSummary(GraphValues.text(e, "id"), GraphValues.text(e, "subject"), Time.of(e.get("start")), Time.of(e.get("end")),
                GraphValues.bool(e, "isAllDay"), GraphValues.text(location, "displayName"), MessageSummary.Address.of(e.get("organizer")),
                GraphValues.bool(e, "isOrganizer"), GraphValues.bool(e, "isCancelled"),
                GraphValues.member(GraphValues.text(e, "showAs"), "unknown", "free", "tentative", "busy", "oof", "workingElsewhere"),
                GraphValues.member(GraphValues.text(e, "type"), "singleInstance", "occurrence", "exception", "seriesMaster"),
                GraphValues.text(e, "seriesMasterId"), GraphValues.text(meeting, "joinUrl"));
    }
}
