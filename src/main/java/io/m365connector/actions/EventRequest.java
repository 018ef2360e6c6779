package io.m365connector.actions;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.outlook.EmailAddresses;
import io.m365connector.outlook.MailRecipient;
import io.m365connector.outlook.ZonedTime;
import io.m365connector.platform.JsonFields;
import io.m365connector.platform.JsonFingerprint;
import io.m365connector.platform.RequestValidationException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The body of POST (create) and PATCH (partial update) /connections/{id}/events. For a PATCH every
 * field is optional and only the fields present are changed; a null field means "not given".
 *
 * @param calendarOwner a shared mailbox whose calendar holds the event (needs shared_calendar), or null
 * @param rooms         rooms to book: each becomes a location of the event and a resource attendee; null when not given
 * @param fingerprint   the request's canonical SHA-256, for Idempotency-Key checks
 */
public record EventRequest(String subject, ZonedTime start, ZonedTime end, String location, String bodyContentType, String body,
                           List<Attendee> attendees, Boolean teamsMeeting, Integer reminderMinutesBeforeStart,
                           String calendarOwner, List<MailRecipient> rooms, String fingerprint) {
    public static final int MAX_ATTENDEES = 500;
    public static final int MAX_ROOMS = 10;
    public static final int MAX_REQUEST_BYTES = 1024 * 1024;
    private static final Set<String> FIELDS = Set.of("subject", "start", "end", "location", "body", "attendees",
            "teamsMeeting", "reminderMinutesBeforeStart", "calendarOwner", "rooms");

    public record Attendee(MailRecipient recipient, String type) {
    }

    public static EventRequest parseCreate(String body) {
        return parse(body, false);
    }

    /** A PATCH: every field optional, but at least one; an empty change is refused before Graph is called. */
    public static EventRequest parseUpdate(String body) {
        EventRequest update = parse(body, true);
        if (update.subject() == null && update.start() == null && update.location() == null && update.body() == null
                && update.attendees() == null && update.teamsMeeting() == null && update.reminderMinutesBeforeStart() == null
                && update.rooms() == null) {
            throw new RequestValidationException(List.of(new RequestValidationException.FieldError("",
                    "Nothing to change: give at least one of " + String.join(", ", new TreeSet<>(without(FIELDS, "calendarOwner"))) + ".")));
        }
        return update;
    }

    private static EventRequest parse(String body, boolean partial) {
        RequestValidationException.Collector errors = new RequestValidationException.Collector();
        JsonNode root = JsonFields.parseObject(body);
        JsonFields json = new JsonFields(root, "", errors);
        json.allowOnly(partial ? without(FIELDS, "calendarOwner") : FIELDS);
        String subject = json.string("subject", !partial, 255, false);
        ZonedTime start = ZonedTime.parse(json, "start", !partial);
        ZonedTime end = ZonedTime.parse(json, "end", !partial);
        if (start != null && end != null && !start.instant().isBefore(end.instant())) {
            errors.add("end", "Must be after start.");
        }
        if (partial && (start == null) != (end == null) && errors.isEmpty()) {
            errors.add(start == null ? "start" : "end", "Give start and end together so the event keeps a valid time range.");
        }
        String location = null;
        JsonNode rawLocation = json.raw("location");
        if (rawLocation != null && rawLocation.isObject()) {
            JsonFields l = json.object("location", false);
            l.allowOnly(Set.of("displayName"));
            location = l.string("displayName", true, 255, false);
        } else {
            location = json.string("location", false, 255, false);
        }
        String contentType = null;
        String content = null;
        JsonNode rawBody = json.raw("body");
        if (rawBody != null && rawBody.isTextual()) {
            contentType = "text";
            content = json.string("body", false, 1_000_000, true);
        } else if (rawBody != null && !rawBody.isNull()) {
            JsonFields b = json.object("body", false);
            if (b != null) {
                b.allowOnly(Set.of("contentType", "content"));
                String type = b.string("contentType", false, 10, false);
                contentType = type == null ? "text" : type.toLowerCase(Locale.ROOT);
                if (!Set.of("text", "html").contains(contentType)) {
                    b.errors().add(b.field("contentType"), "Must be text or html.");
                }
                content = b.string("content", true, 1_000_000, true);
            }
        }
        List<Attendee> attendees = null;
        if (json.has("attendees")) {
            attendees = new ArrayList<>();
            List<JsonNode> items = json.array("attendees", MAX_ATTENDEES);
            for (int i = 0; i < items.size(); i++) {
                String path = "attendees[" + i + "]";
                MailRecipient r = MailRecipient.one(items.get(i), path, errors, Set.of("type"));
                String type = "required";
                if (items.get(i).isObject() && items.get(i).has("type")) {
                    JsonNode t = items.get(i).get("type");
                    type = t.isTextual() ? t.asText().toLowerCase(Locale.ROOT) : "";
                    if (!Set.of("required", "optional", "resource").contains(type)) {
                        errors.add(path + ".type", "Must be required, optional or resource.");
                    }
                }
                if (r != null) {
                    attendees.add(new Attendee(r, type));
                }
            }
        }
        Boolean teams = json.bool("teamsMeeting");
        Integer reminder = json.integer("reminderMinutesBeforeStart", 0, 40320);
        String owner = partial ? null : json.string("calendarOwner", false, 254, false);
        if (owner != null && EmailAddresses.problem(owner) != null) {
            errors.add("calendarOwner", EmailAddresses.problem(owner));
        }
        List<MailRecipient> rooms = rooms(json, location != null || json.has("location"), attendees, partial);
        errors.throwIfAny();
        return new EventRequest(subject, start, end, location, contentType, content,
                attendees == null ? null : List.copyOf(attendees), teams, reminder, owner, rooms, JsonFingerprint.of("event", root));
    }

    /**
     * The rooms to book, or null when not given. A room sets the location, so "location" must not be
     * given too; a room listed again as an attendee is refused (it is added as one); on a PATCH the
     * attendees must come along, because Graph replaces the whole attendee list, and an empty list
     * releases the event's rooms (a location may then be given).
     */
    private static List<MailRecipient> rooms(JsonFields json, boolean hasLocation, List<Attendee> attendees, boolean partial) {
        if (!json.has("rooms")) {
            return null;
        }
        List<MailRecipient> rooms = MailRecipient.list(json, "rooms", MAX_ROOMS, json.errors());
        if (rooms.isEmpty() && json.errors().isEmpty() && !partial) {
            json.errors().add("rooms", "Give at least one room, or leave rooms out.");
        }
        if (hasLocation && !rooms.isEmpty()) {
            json.errors().add("location", "Leave location out when rooms are given: the location is set from the rooms.");
        }
        if (partial && attendees == null) {
            json.errors().add("attendees", "Give attendees with rooms: Graph replaces the whole attendee list on an update.");
        }
        for (int i = 0; rooms.isEmpty() && attendees != null && i < attendees.size(); i++) {
            if (attendees.get(i).type().equals("resource")) {
                json.errors().add("attendees[" + i + "]", "An empty rooms releases every room: list no attendee of type resource with it.");
            }
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < rooms.size(); i++) {
            if (!seen.add(rooms.get(i).address().toLowerCase(Locale.ROOT))) {
                json.errors().add("rooms[" + i + "]", "Listed twice.");
            }
        }
        for (int i = 0; attendees != null && i < attendees.size(); i++) {
            if (seen.contains(attendees.get(i).recipient().address().toLowerCase(Locale.ROOT))) {
                json.errors().add("attendees[" + i + "]", "This address is in rooms, which adds it as a resource attendee: remove it here.");
            }
        }
        return List.copyOf(rooms);
    }

    private static Set<String> without(Set<String> set, String name) {
        Set<String> copy = new HashSet<>(set);
        copy.remove(name);
        return copy;
    }
}
