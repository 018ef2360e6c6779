package io.m365connector.actions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.JsonParser;
import com.microsoft.graph.models.Attendee;
import com.microsoft.graph.models.AttendeeType;
import com.microsoft.graph.models.BodyType;
import com.microsoft.graph.models.DateTimeTimeZone;
import com.microsoft.graph.models.EmailAddress;
import com.microsoft.graph.models.Event;
import com.microsoft.graph.models.ItemBody;
import com.microsoft.graph.models.Location;
import com.microsoft.graph.models.LocationType;
import com.microsoft.graph.models.OnlineMeetingProviderType;
import com.microsoft.graph.models.ResponseStatus;
import com.microsoft.graph.models.ResponseType;
import com.microsoft.kiota.serialization.JsonParseNode;
import com.microsoft.kiota.serialization.JsonSerializationWriter;
import io.m365connector.actions.EventDetails.AttendeeView;
import io.m365connector.actions.EventDetails.Person;
import io.m365connector.actions.EventDetails.When;
import io.m365connector.outlook.MailRecipient;
import io.m365connector.platform.Json;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The event actions write and read Graph's JSON themselves (the SDK's {@code Event} model derives from {@code Entity},
 * which costs a cold start ~1,100 class loads: GraphJsonRequests). Each request body must be the one the SDK's model
 * would send, and each answer must read as the SDK's model read it: both compared here with the SDK's own
 * serialization and parsing of the same requests and answers (the SDK-model code is what EventService, EventView and
 * EventDetails ran until issue 24, kept here as the reference).
 */
class EventJsonTest {
    private static final String WHEN = "\"start\":{\"dateTime\":\"2026-12-01T09:00:00\",\"timeZone\":\"Pacific Standard Time\"},"
            + "\"end\":{\"dateTime\":\"2026-12-01T10:00:00\",\"timeZone\":\"America/Los_Angeles\"}";

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"subject\":\"Interview ✓\"," + WHEN + "}",
        "{\"subject\":\"Interview\"," + WHEN + ",\"location\":\"Room 4\",\"body\":{\"contentType\":\"HTML\",\"content\":\"<b>Hi</b>\"},"
                + "\"attendees\":[\"a@contoso.com\",{\"address\":\"b@contoso.com\",\"name\":\"Bea \\\"B\\\"\",\"type\":\"optional\"},"
                + "{\"address\":\"projector@contoso.com\",\"type\":\"resource\"}],\"teamsMeeting\":true,\"reminderMinutesBeforeStart\":15}",
        "{\"subject\":\"Interview\"," + WHEN + ",\"rooms\":[\"room4@contoso.com\","
                + "{\"address\":\"room5@contoso.com\",\"name\":\"Room 5\"}],\"teamsMeeting\":false,\"calendarOwner\":\"team@contoso.com\"}",
        "{\"subject\":\"s\"," + WHEN + ",\"body\":\"plain\",\"rooms\":[\"room4@contoso.com\"]}"})
    void whenAnEventIsCreatedThenItsBodyIsWhatTheGraphSdkModelWouldSend(String json) throws Exception {
        EventRequest request = EventRequest.parseCreate(json);
        Event event = toGraph(request);
        event.setTransactionId("7d6f3c2a-1b4e-4f5a-9c8d-2e1f0a3b4c5d");
        assertSame(sdk(event), EventJson.body(request, "7d6f3c2a-1b4e-4f5a-9c8d-2e1f0a3b4c5d"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"subject\":\"Moved\"}", "{\"reminderMinutesBeforeStart\":0}", "{\"teamsMeeting\":false}",
        "{" + WHEN + "}", "{\"attendees\":[]}", "{\"rooms\":[\"room4@contoso.com\"],\"attendees\":[\"a@contoso.com\"],\"body\":\"x\"}", "{\"location\":{\"displayName\":\"Here\"}}"})
    void whenAnEventIsUpdatedThenOnlyTheGivenFieldsAreSentAsTheGraphSdkModelWould(String json) throws Exception {
        EventRequest request = EventRequest.parseUpdate(json);
        assertSame(sdk(toGraph(request)), EventJson.body(request, null));
    }

    /** Modelled on Learn's "Get event" response (graph/api/event-get), with the variations the readers must take. */
    private static final String ANSWER = "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users('x')/events(subject)/$entity\","
            + "\"@odata.etag\":\"W/\\\"ZlnW4RIAV06KYYwlrfNZvQAALfZeRQ==\\\"\",\"id\":\"AAMkAGI1AAAt9AHjAAA=\",\"subject\":\"Interview\","
            + "\"isCancelled\":false,\"isOrganizer\":true,\"webLink\":\"https://outlook.office365.com/owa/?itemid=AAMkAGI1AAAt9AHjAAA%3D&exvsurl=1\","
            + "\"start\":{\"dateTime\":\"2026-12-01T09:00:00.0000000\",\"timeZone\":\"Pacific Standard Time\"},"
            + "\"end\":{\"dateTime\":\"2026-12-01T10:00:00.0000000\",\"timeZone\":\"Pacific Standard Time\"},"
            + "\"location\":{\"displayName\":\"Room 4\",\"locationType\":\"conferenceRoom\",\"uniqueId\":\"Room 4\",\"uniqueIdType\":\"private\"},"
            + "\"organizer\":{\"emailAddress\":{\"name\":\"Adele Vance\",\"address\":\"adele@contoso.com\"}},"
            + "\"onlineMeeting\":{\"joinUrl\":\"https://teams.microsoft.com/l/meetup-join/19%3ameeting\"},"
            + "\"attendees\":["
            + "{\"type\":\"required\",\"status\":{\"response\":\"accepted\",\"time\":\"2026-11-30T17:23:52.0937538Z\"},\"emailAddress\":{\"name\":\"Bea\",\"address\":\"b@contoso.com\"}},"
            + "{\"type\":\"optional\",\"status\":{\"response\":\"notResponded\",\"time\":\"0001-01-01T00:00:00Z\"},\"emailAddress\":{\"address\":\"c@contoso.com\"}},"
            + "{\"type\":\"resource\",\"status\":{\"response\":\"tentativelyAccepted\",\"time\":\"2026-11-30T17:24:00\"},\"emailAddress\":{\"name\":\"Room 4\",\"address\":\"room4@contoso.com\"}},"
            + "{\"type\":\"resource\",\"status\":{\"response\":\"declined\",\"time\":\"2026-11-30T17:25:00+01:00\"},\"emailAddress\":{\"address\":\"room5@contoso.com\"}},"
            + "{\"type\":\"someFutureType\",\"status\":{\"response\":\"organizer\"},\"emailAddress\":{\"address\":\"d@contoso.com\"}},"
            + "{\"emailAddress\":{\"address\":\"e@contoso.com\"}}]}";

    @ParameterizedTest
    @ValueSource(strings = {ANSWER, "{\"id\":\"AAMk=\"}", "{\"id\":\"AAMk=\",\"isCancelled\":true,\"onlineMeeting\":null,\"location\":{},"
            + "\"attendees\":[{\"type\":\"resource\",\"status\":{\"response\":\"accepted\"},\"emailAddress\":{\"address\":\"room4@contoso.com\"}}]}"})
    void whenGraphAnswersThenTheEventReadsAsTheGraphSdkModelReadIt(String answer) {
        Event event = new JsonParseNode(JsonParser.parseString(answer)).getObjectValue(Event::createFromDiscriminatorValue);
        JsonNode json = Json.parseRequest(answer);
        assertEquals(details("c1", event, "team@contoso.com"), EventDetails.of("c1", json, "team@contoso.com"));
        String joinUrl = event.getOnlineMeeting() == null ? null : event.getOnlineMeeting().getJoinUrl();
        assertEquals(new EventView("c1", event.getId(), null, event.getWebLink(), joinUrl), EventView.of("c1", json, null));
    }

    @Test
    void whenTheAnswerIsReadThenEachAttendeesAnswerIsThere() {
        EventDetails read = EventDetails.of("c1", Json.parseRequest(ANSWER), null);
        assertEquals(List.of("accepted", "none", "tentative", "declined", "organizer", "none"),
                read.attendees().stream().map(AttendeeView::response).toList());
        assertEquals(List.of("required", "optional", "resource", "resource", "required", "required"),
                read.attendees().stream().map(AttendeeView::type).toList());
        assertEquals(OffsetDateTime.parse("2026-11-30T17:23:52.0937538Z"), read.attendees().get(0).respondedAt());
        assertEquals(null, read.attendees().get(1).respondedAt());
        assertEquals(false, read.roomsAccepted());
        assertEquals("https://teams.microsoft.com/l/meetup-join/19%3ameeting", read.joinUrl());
    }

    private static void assertSame(String sdk, byte[] ours) throws Exception {
        JsonNode expected = Json.MAPPER.readTree(sdk);
        JsonNode actual = Json.MAPPER.readTree(ours);
        assertEquals(expected, actual, "the SDK's body, then ours:\n" + expected + "\n" + actual);
    }

    private static String sdk(Event model) throws Exception {
        JsonSerializationWriter writer = new JsonSerializationWriter();
        writer.writeObjectValue(null, model);
        return new String(writer.getSerializedContent().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** A fresh model per attempt: the SDK's backing store sends only changed values of a model it already sent. */
    static Event toGraph(EventRequest r) {
        Event e = new Event();
        if (r.subject() != null) {
            e.setSubject(r.subject());
        }
        if (r.start() != null) {
            e.setStart(r.start().toGraph());
            e.setEnd(r.end().toGraph());
        }
        if (r.location() != null) {
            Location location = new Location();
            location.setDisplayName(r.location());
            e.setLocation(location);
        }
        if (r.body() != null) {
            ItemBody body = new ItemBody();
            body.setContentType("html".equals(r.bodyContentType()) ? BodyType.Html : BodyType.Text);
            body.setContent(r.body());
            e.setBody(body);
        }
        if (r.attendees() != null || r.rooms() != null) {
            List<Attendee> attendees = r.attendees() == null ? new ArrayList<>() : attendees(r.attendees());
            if (r.rooms() != null) {
                setRooms(e, r.rooms(), attendees);
            }
            e.setAttendees(attendees);
        }
        if (r.teamsMeeting() != null) {
            e.setIsOnlineMeeting(r.teamsMeeting());
            if (r.teamsMeeting()) {
                e.setOnlineMeetingProvider(OnlineMeetingProviderType.TeamsForBusiness);
            }
        }
        if (r.reminderMinutesBeforeStart() != null) {
            e.setIsReminderOn(true);
            e.setReminderMinutesBeforeStart(r.reminderMinutesBeforeStart());
        }
        return e;
    }

    private static List<Attendee> attendees(List<EventRequest.Attendee> requested) {
        List<Attendee> attendees = new ArrayList<>();
        for (EventRequest.Attendee a : requested) {
            attendees.add(attendee(a.recipient(), switch (a.type()) {
                case "optional" -> AttendeeType.Optional;
                case "resource" -> AttendeeType.Resource;
                default -> AttendeeType.Required;
            }));
        }
        return attendees;
    }

    private static Attendee attendee(MailRecipient recipient, AttendeeType type) {
        Attendee attendee = new Attendee();
        EmailAddress address = new EmailAddress();
        address.setAddress(recipient.address());
        if (recipient.name() != null) {
            address.setName(recipient.name());
        }
        attendee.setEmailAddress(address);
        attendee.setType(type);
        return attendee;
    }

    /** Each room becomes a location of the event (the first is the main one) and a resource attendee, as Outlook books rooms. */
    private static void setRooms(Event e, List<MailRecipient> rooms, List<Attendee> attendees) {
        List<Location> locations = new ArrayList<>();
        for (MailRecipient room : rooms) {
            locations.add(roomLocation(room));
            attendees.add(attendee(room, AttendeeType.Resource));
        }
        // A model of its own: the SDK's backing store would write a model it has already written as empty.
        e.setLocation(roomLocation(rooms.get(0)));
        e.setLocations(locations);
    }

    private static Location roomLocation(MailRecipient room) {
        Location location = new Location();
        location.setDisplayName(room.name() == null ? room.address() : room.name());
        location.setLocationEmailAddress(room.address());
        location.setLocationType(LocationType.ConferenceRoom);
        return location;
    }

    static EventDetails details(String connectionId, Event event, String calendarOwner) {
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

    static AttendeeView view(Attendee a) {
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
    static OffsetDateTime answeredAt(OffsetDateTime time) {
        return time == null || time.getYear() < 1971 ? null : time;
    }

    static Person person(EmailAddress address) {
        return address == null ? null : new Person(address.getAddress(), address.getName());
    }

    static When when(DateTimeTimeZone time) {
        return time == null ? null : new When(time.getDateTime(), time.getTimeZone());
    }
}
