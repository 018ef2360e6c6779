package io.m365connector.actions;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.microsoft.graph.models.Attendee;
import com.microsoft.graph.models.AttendeeType;
import com.microsoft.graph.models.DateTimeTimeZone;
import com.microsoft.graph.models.EmailAddress;
import com.microsoft.graph.models.Event;
import com.microsoft.graph.models.ResponseStatus;
import com.microsoft.graph.models.ResponseType;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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

    static EventDetails of(String connectionId, Event event, String calendarOwner) {
        List<AttendeeView> attendees = new ArrayList<>();
        List<AttendeeView> rooms = new ArrayList<>();
        if (event.getAttendees() != null) {
            for (Attendee a : event.getAttendees()) {
                AttendeeView view = view(a);
                attendees.add(view);
                if (a.getType() == AttendeeType.Resource) {
                    rooms.add(view);
                }
            }
        }
        Boolean roomsAccepted = rooms.isEmpty() ? null : rooms.stream().allMatch(r -> r.response().equals("accepted"));
        String joinUrl = event.getOnlineMeeting() == null ? null : event.getOnlineMeeting().getJoinUrl();
        return new EventDetails(connectionId, event.getId(), calendarOwner, event.getSubject(), when(event.getStart()),
                when(event.getEnd()), event.getLocation() == null ? null : event.getLocation().getDisplayName(),
                person(event.getOrganizer() == null ? null : event.getOrganizer().getEmailAddress()), List.copyOf(attendees),
                List.copyOf(rooms), roomsAccepted, event.getIsCancelled(), event.getWebLink(), joinUrl);
    }

    private static AttendeeView view(Attendee a) {
        Person who = person(a.getEmailAddress());
        ResponseStatus status = a.getStatus();
        String type = a.getType() == null ? "required" : a.getType().getValue().toLowerCase(Locale.ROOT);
        return new AttendeeView(who == null ? null : who.address(), who == null ? null : who.name(), type,
                response(status == null ? null : status.getResponse()), status == null ? null : answeredAt(status.getTime()));
    }

    /** Graph's answers in the API's words; "notResponded" and a missing status are both "none". */
    static String response(ResponseType type) {
        if (type == null) {
            return "none";
        }
        return switch (type) {
            case Accepted -> "accepted";
            case TentativelyAccepted -> "tentative";
            case Declined -> "declined";
            case Organizer -> "organizer";
            default -> "none";
        };
    }

    /** Graph writes 0001-01-01T00:00:00Z for "never answered". */
    private static OffsetDateTime answeredAt(OffsetDateTime time) {
        return time == null || time.getYear() < 1971 ? null : time;
    }

    private static Person person(EmailAddress address) {
        return address == null ? null : new Person(address.getAddress(), address.getName());
    }

    private static When when(DateTimeTimeZone time) {
        return time == null ? null : new When(time.getDateTime(), time.getTimeZone());
    }
}
