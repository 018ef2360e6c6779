package io.m365connector.actions;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.m365connector.graph.GraphValues;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * An event as GET /connections/{id}/events/{eventId} returns it: when and where, and each attendee's
 * answer. Rooms (resource attendees) are listed again under {@code rooms}; {@code roomsAccepted} says
 * whether every room accepted, which is what tells the web app that the booking held.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventDetails(String connectionId, String eventId, String calendarOwner, String subject, When start, When end,
                           String location, Person organizer, List<AttendeeView> attendees, List<AttendeeView> rooms,
                           Boolean roomsAccepted, Boolean cancelled, String webLink, String joinUrl) {
    /** The event properties read from Graph (nothing else, no body). */
    static final String[] SELECT = {"id", "subject", "start", "end", "location", "attendees", "organizer", "isCancelled", "webLink",
        "onlineMeeting"};

    /** A local date-time in the zone the event was created in. */
    public record When(String dateTime, String timeZone) {
    }

    public record Person(String address, String name) {
    }

    /**
     * @param response    accepted | tentative | declined | none (not answered yet) | organizer
     * @param respondedAt when the answer came, if Graph knows it
     */
    public record AttendeeView(String address, String name, String type, String response, OffsetDateTime respondedAt) {
    }

    /** From Graph's JSON for the event, read with {@link #SELECT}. */
    static EventDetails of(String connectionId, JsonNode answer, String calendarOwner) {
        JsonNode event = answer == null ? MissingNode.getInstance() : answer;
        List<AttendeeView> attendees = new ArrayList<>();
        List<AttendeeView> rooms = new ArrayList<>();
        for (JsonNode a : event.path("attendees")) {
            AttendeeView view = view(a);
            attendees.add(view);
            if (view.type().equals("resource")) {
                rooms.add(view);
            }
        }
        Boolean roomsAccepted = rooms.isEmpty() ? null : rooms.stream().allMatch(r -> r.response().equals("accepted"));
        return new EventDetails(connectionId, GraphValues.text(event, "id"), calendarOwner, GraphValues.text(event, "subject"),
                when(event.get("start")), when(event.get("end")), GraphValues.text(event.path("location"), "displayName"),
                person(event.path("organizer").get("emailAddress")), List.copyOf(attendees), List.copyOf(rooms), roomsAccepted,
                GraphValues.bool(event, "isCancelled"), GraphValues.text(event, "webLink"), GraphValues.text(event.path("onlineMeeting"), "joinUrl"));
    }

    private static AttendeeView view(JsonNode a) {
        Person who = person(a.get("emailAddress"));
        JsonNode status = a.get("status");
        String type = GraphValues.text(a, "type");
        return new AttendeeView(who == null ? null : who.address(), who == null ? null : who.name(),
                type != null && (type.equals("optional") || type.equals("resource")) ? type : "required",
                response(GraphValues.text(status, "response")), answeredAt(status));
    }

    /** Graph's answers in the API's words; "notResponded", an unknown value and a missing status are all "none". */
    static String response(String graphResponse) {
        if (graphResponse == null) {
            return "none";
        }
        return switch (graphResponse) {
            case "accepted" -> "accepted";
            case "tentativelyAccepted" -> "tentative";
            case "declined" -> "declined";
            case "organizer" -> "organizer";
            default -> "none";
        };
    }

    /** Graph writes 0001-01-01T00:00:00Z for "never answered"; a time without an offset is UTC (as the Graph SDK reads it). */
    private static OffsetDateTime answeredAt(JsonNode status) {
        OffsetDateTime at;
        try {
            at = GraphValues.time(status, "time");
        } catch (DateTimeParseException unreadable) {
            return null;
        }
        return at == null || at.getYear() < 1971 ? null : at;
    }

    private static Person person(JsonNode address) {
        return address == null || address.isNull() ? null : new Person(GraphValues.text(address, "address"), GraphValues.text(address, "name"));
    }

    private static When when(JsonNode time) {
        return time == null || time.isNull() ? null : new When(GraphValues.text(time, "dateTime"), GraphValues.text(time, "timeZone"));
    }
}
