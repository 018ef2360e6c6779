package io.m365connector.actions;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What DELETE on an event did: {@code cancelled} (the user organizes it and attendees were told,
 * {@code attendeesNotified} of them) or {@code deleted} (removed from the calendar only).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventRemoved(String connectionId, String eventId, String action, Integer attendeesNotified) {
}
