package io.m365connector.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.graph.GraphJsonRequests;
import io.m365connector.graph.GraphValues;
import io.m365connector.outlook.MailRecipient;
import io.m365connector.platform.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Events as Graph's JSON: the bodies of a create and an update, and where an event lives. Written here rather than
 * through the SDK's {@code Event} model, as the mail path does ({@link io.m365connector.graph.GraphJsonRequests} says
 * why); {@code EventJsonTest} checks that each body is the one the SDK's model would send.
 */
final class EventJson {
    private EventJson() {
    }

    /** The events of the user's calendar, or of {@code calendarOwner}'s shared one, as a URI template. */
    static String events(String calendarOwner) {
        return GraphJsonRequests.mailbox(calendarOwner) + "/events";
    }

    /** One event of {@link #events}, with room for a {@code $select}. */
    static String event(String calendarOwner) {
        return events(calendarOwner) + "/{event%2Did}{?%24select}";
    }

    /** The values of those templates ({@code eventId} null for {@link #events}). */
    static Map<String, Object> parameters(String calendarOwner, String eventId) {
        return GraphJsonRequests.parameters(calendarOwner, "event%2Did", eventId);
    }

    /** The event's fields the request sets (an update sends only those); {@code transactionId} for a create, else null. */
    static byte[] body(EventRequest r, String transactionId) {
        return Json.bytes(node(r, transactionId));
    }

    /**
     * An update's body that replaces the attendees without naming rooms: the rooms the event has booked ({@code keptRooms},
     * {@link #bookedRooms}) stay among them, since Graph replaces the whole list and a room left out would be released.
     */
    static byte[] update(EventRequest r, List<MailRecipient> keptRooms) {
        ObjectNode e = node(r, null);
        if (r.attendees() != null && r.rooms() == null) {
            ArrayNode attendees = (ArrayNode) e.get("attendees");
            keptRooms.stream().filter(room -> r.attendees().stream().noneMatch(a -> a.recipient().address().equalsIgnoreCase(room.address())))
                    .forEach(room -> attendees.add(attendee(room, "resource")));
        }
        return Json.bytes(e);
    }

    /** The rooms an event has booked: its resource attendees, as the event's read ({@link EventDetails}) lists them under rooms. */
    static List<MailRecipient> bookedRooms(JsonNode event) {
        List<MailRecipient> rooms = new ArrayList<>();
        for (JsonNode a : event.path("attendees")) {
            String address = GraphValues.text(a.path("emailAddress"), "address");
            if (address != null && "resource".equalsIgnoreCase(GraphValues.text(a, "type"))) {
                rooms.add(new MailRecipient(address, GraphValues.text(a.path("emailAddress"), "name")));
            }
        }
        return rooms;
    }

    private static ObjectNode node(EventRequest r, String transactionId) {
        ObjectNode e = Json.MAPPER.createObjectNode();
        e.put("@odata.type", "#microsoft.graph.event");
        if (r.subject() != null) {
            e.put("subject", r.subject());
        }
        if (r.start() != null) {
            e.set("start", r.start().toJson());
            e.set("end", r.end().toJson());
        }
        if (r.location() != null) {
            e.putObject("location").put("displayName", r.location());
        }
        if (r.body() != null) {
            e.putObject("body").put("content", r.body()).put("contentType", "html".equals(r.bodyContentType()) ? "html" : "text");
        }
        if (r.attendees() != null || r.rooms() != null) {
            ArrayNode attendees = e.putArray("attendees");
            if (r.attendees() != null) {
                r.attendees().forEach(a -> attendees.add(attendee(a.recipient(), switch (a.type()) {
                    case "optional", "resource" -> a.type();
                    default -> "required";
                })));
            }
            if (r.rooms() != null && !r.rooms().isEmpty()) {
                rooms(e, r.rooms(), attendees);
            } else if (r.rooms() != null) { // a PATCH's "rooms": []: the rooms leave the meeting, and the location names none of them
                e.putArray("locations");
                if (r.location() == null) {
                    e.putObject("location").put("displayName", "");
                }
            }
        }
        if (r.teamsMeeting() != null) {
            e.put("isOnlineMeeting", r.teamsMeeting());
            if (r.teamsMeeting()) {
                e.put("onlineMeetingProvider", "teamsForBusiness");
            }
        }
        if (r.reminderMinutesBeforeStart() != null) {
            e.put("isReminderOn", true);
            e.put("reminderMinutesBeforeStart", r.reminderMinutesBeforeStart());
        }
        if (transactionId != null) {
            e.put("transactionId", transactionId);
        }
        return e;
    }

    private static ObjectNode attendee(MailRecipient recipient, String type) {
        ObjectNode attendee = Json.MAPPER.createObjectNode();
        attendee.put("@odata.type", "#microsoft.graph.attendee");
        ObjectNode address = attendee.putObject("emailAddress");
        address.put("address", recipient.address());
        if (recipient.name() != null) {
            address.put("name", recipient.name());
        }
        attendee.put("type", type);
        return attendee;
    }

    /** Each room becomes a location of the event (the first is the main one) and a resource attendee, as Outlook books rooms. */
    private static void rooms(ObjectNode e, List<MailRecipient> rooms, ArrayNode attendees) {
        ArrayNode locations = Json.MAPPER.createArrayNode();
        for (MailRecipient room : rooms) {
            locations.add(roomLocation(room));
            attendees.add(attendee(room, "resource"));
        }
        e.set("location", roomLocation(rooms.get(0)));
        e.set("locations", locations);
    }

    private static ObjectNode roomLocation(MailRecipient room) {
        ObjectNode location = Json.MAPPER.createObjectNode();
        location.put("displayName", room.name() == null ? room.address() : room.name());
        location.put("locationEmailAddress", room.address());
        location.put("locationType", "conferenceRoom");
        return location;
    }
}
