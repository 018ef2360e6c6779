package io.m365connector.actions;

import io.m365connector.outlook.EmailAddresses;
import io.m365connector.platform.RequestValidationException;
import java.util.regex.Pattern;

/**
 * Which event an update or cancel addresses: its id from the create response, and the shared
 * calendar's owner when it is not in the user's own calendar.
 */
public record EventTarget(String eventId, String calendarOwner) {
    private static final Pattern EVENT_ID = Pattern.compile("[A-Za-z0-9_=+-]{1,512}");

    /** Validates the route's event id and the {@code calendarOwner} query parameter together. */
    public static EventTarget parse(String eventId, String calendarOwner) {
        RequestValidationException.Collector errors = new RequestValidationException.Collector();
        check(eventId, calendarOwner, errors);
        errors.throwIfAny();
        return new EventTarget(eventId, calendarOwner);
    }

    static void check(String eventId, String calendarOwner, RequestValidationException.Collector errors) {
        if (eventId == null || !EVENT_ID.matcher(eventId).matches()) {
            errors.add("eventId", "Not an event id: use the eventId returned when the event was created.");
        }
        String ownerProblem = calendarOwner == null ? null : EmailAddresses.problem(calendarOwner);
        if (ownerProblem != null) {
            errors.add("calendarOwner", ownerProblem);
        }
    }
}
