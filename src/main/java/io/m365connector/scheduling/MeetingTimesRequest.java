package io.m365connector.scheduling;

import io.m365connector.outlook.MailRecipient;
import io.m365connector.platform.JsonFields;
import io.m365connector.platform.RequestValidationException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The body of POST /connections/{id}/meeting-times: who must attend (the signed-in user organizes),
 * which rooms may host it, how long, within which window, and the constraints Graph's findMeetingTimes
 * takes. The same request is answered by findMeetingTimes or computed from getSchedule.
 *
 * @param attendees                 people (Graph treats every person as required)
 * @param rooms                     candidate rooms, in order of preference
 * @param roomRequired              only suggest times at which one of the rooms is free (default true with rooms)
 * @param activityDomain            work (the default: everyone's working hours) | personal (working hours, weekends too) | unrestricted
 * @param minimumAttendeePercentage the least confidence a suggestion must have, 0-100 (Graph's default 50)
 */
public record MeetingTimesRequest(List<String> attendees, List<MailRecipient> rooms, boolean roomRequired, Duration duration,
                                  Window window, String activityDomain, double minimumAttendeePercentage, int maxCandidates,
                                  boolean organizerOptional) {
    /** The organizer, attendees and rooms together stay within getSchedule's 20 schedules, so both ways can answer. */
    public static final int MAX_PARTICIPANTS = 19;
    public static final int MAX_REQUEST_BYTES = 64 * 1024;
    public static final int DEFAULT_DURATION = 30;
    public static final int DEFAULT_MAX_CANDIDATES = 10;
    public static final int MAX_CANDIDATES = 100;
    static final Set<String> ACTIVITY_DOMAINS = Set.of("work", "personal", "unrestricted");
    private static final Set<String> FIELDS = Set.of("attendees", "rooms", "roomRequired", "durationMinutes", "start", "end", "timeZone",
            "activityDomain", "minimumAttendeePercentage", "maxCandidates", "organizerOptional");

    public MeetingTimesRequest {
        attendees = List.copyOf(attendees);
        rooms = List.copyOf(rooms);
    }

    public static MeetingTimesRequest parse(String body) {
        RequestValidationException.Collector errors = new RequestValidationException.Collector();
        JsonFields json = new JsonFields(JsonFields.parseObject(body), "", errors);
        json.allowOnly(FIELDS);
        List<String> attendees = AvailabilityRequest.addresses(json, "attendees", MAX_PARTICIPANTS, false);
        List<MailRecipient> rooms = MailRecipient.list(json, "rooms", MAX_PARTICIPANTS, errors);
        if (attendees.size() + rooms.size() > MAX_PARTICIPANTS) {
            errors.add("rooms", "Attendees and rooms together: at most " + MAX_PARTICIPANTS
                    + " (with the organizer, Graph's getSchedule limit of 20 schedules).");
        }
        for (int i = 0; i < rooms.size(); i++) {
            String address = rooms.get(i).address();
            if (attendees.stream().anyMatch(address::equalsIgnoreCase)
                    || rooms.subList(0, i).stream().anyMatch(r -> r.address().equalsIgnoreCase(address))) {
                errors.add("rooms[" + i + "]", "Listed twice (as a room or an attendee).");
            }
        }
        Boolean roomRequired = json.bool("roomRequired");
        if (roomRequired != null && rooms.isEmpty()) {
            errors.add("roomRequired", "Only with rooms.");
        }
        Integer minutes = json.integer("durationMinutes", 5, 1440);
        Duration duration = Duration.ofMinutes(minutes == null ? DEFAULT_DURATION : minutes);
        Window window = Window.read(json);
        if (window != null && window.length().compareTo(duration) < 0) {
            errors.add("durationMinutes", "Longer than the window from start to end.");
        }
        String domain = json.string("activityDomain", false, 20, false);
        if (domain != null && !ACTIVITY_DOMAINS.contains(domain.toLowerCase(Locale.ROOT))) {
            errors.add("activityDomain", "Must be work, personal or unrestricted.");
        }
        Integer minimum = json.integer("minimumAttendeePercentage", 0, 100);
        Integer max = json.integer("maxCandidates", 1, MAX_CANDIDATES);
        Boolean organizerOptional = json.bool("organizerOptional");
        errors.throwIfAny();
        return new MeetingTimesRequest(attendees, rooms, roomRequired == null || roomRequired, duration, window,
                domain == null ? "work" : domain.toLowerCase(Locale.ROOT), minimum == null ? 50 : minimum,
                max == null ? DEFAULT_MAX_CANDIDATES : max, Boolean.TRUE.equals(organizerOptional));
    }
}
