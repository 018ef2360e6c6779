package io.m365connector.actions;

import io.m365connector.outlook.EmailAddresses;
import io.m365connector.platform.RequestValidationException;

/** DELETE /connections/{id}/events/{eventId}: the event, and the message attendees get when it is cancelled. */
public record CancelRequest(EventTarget target, String comment) {
    public static final int MAX_COMMENT = 2000;

    public static CancelRequest parse(String eventId, String calendarOwner, String comment) {
        RequestValidationException.Collector errors = new RequestValidationException.Collector();
        EventTarget.check(eventId, calendarOwner, errors);
        if (comment != null && (comment.length() > MAX_COMMENT || EmailAddresses.hasControl(comment.replace("\n", "").replace("\r", "")))) {
            errors.add("comment", "At most " + MAX_COMMENT + " characters, without control characters other than line breaks.");
        }
        errors.throwIfAny();
        return new CancelRequest(new EventTarget(eventId, calendarOwner), comment);
    }
}
