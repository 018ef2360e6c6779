package io.m365connector.actions;

import io.m365connector.platform.RequestValidationException;
import io.m365connector.platform.TextRules;

/** DELETE /connections/{id}/events/{eventId}: the event, and the message attendees get when it is cancelled. */
public record CancelRequest(EventTarget target, String comment) {
    public static final int MAX_COMMENT = 2000;

    public static CancelRequest parse(String eventId, String calendarOwner, String comment) {
        RequestValidationException.Collector errors = new RequestValidationException.Collector();
        EventTarget.check(eventId, calendarOwner, errors);
        // The API's text rules (docs/API.md): lengths in characters as people count them (an emoji is one), and a
        // comment is multi-line text (CR, LF and tab pass; other control characters and U+2028/U+2029 do not).
        if (comment != null && (TextRules.length(comment) > MAX_COMMENT || TextRules.hasControl(comment, true))) {
            errors.add("comment", "At most " + MAX_COMMENT + " characters, without control characters other than line breaks and tabs.");
        }
        errors.throwIfAny();
        return new CancelRequest(new EventTarget(eventId, calendarOwner), comment);
    }
}
