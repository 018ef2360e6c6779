package io.m365connector.reading;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.graph.GraphValues;
import io.m365connector.outlook.TimeZones;

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

    /**
     * A local date-time and its zone, as Graph gives them; the zone in the caller's name when it is the one asked for (Graph is
     * asked by the Windows name: {@link TimeZones#windowsName}).
     */
    public record Time(String dateTime, String timeZone) {
        static Time of(JsonNode t, String asked) {
            if (t == null || t.isNull()) {
                return null;
            }
            String zone = GraphValues.text(t, "timeZone");
            boolean theOneAsked = zone != null && asked != null && zone.equalsIgnoreCase(TimeZones.windowsName(asked));
            return new Time(GraphValues.text(t, "dateTime"), theOneAsked ? asked : zone);
        }
    }

    /** From Graph's JSON for an event read with {@link #SELECT} in the zone {@code asked}. */
    static EventSummary of(JsonNode e, String asked) {
        JsonNode location = e.get("location");
        JsonNode meeting = e.get("onlineMeeting");
        return new EventSummary(GraphValues.text(e, "id"), GraphValues.text(e, "subject"), Time.of(e.get("start"), asked), Time.of(e.get("end"), asked),
                GraphValues.bool(e, "isAllDay"), GraphValues.text(location, "displayName"), MessageSummary.Address.of(e.get("organizer")),
                GraphValues.bool(e, "isOrganizer"), GraphValues.bool(e, "isCancelled"),
                GraphValues.member(GraphValues.text(e, "showAs"), "unknown", "free", "tentative", "busy", "oof", "workingElsewhere"),
                GraphValues.member(GraphValues.text(e, "type"), "singleInstance", "occurrence", "exception", "seriesMaster"),
                GraphValues.text(e, "seriesMasterId"), GraphValues.text(meeting, "joinUrl"));
    }
}
