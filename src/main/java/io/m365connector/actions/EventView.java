package io.m365connector.actions;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.microsoft.graph.models.Event;

/** An event as the API returns it after a create or update. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventView(String connectionId, String eventId, String calendarOwner, String webLink, String joinUrl) {
    static EventView of(String connectionId, Event event, String calendarOwner) {
        String joinUrl = event.getOnlineMeeting() == null ? null : event.getOnlineMeeting().getJoinUrl();
        return new EventView(connectionId, event.getId(), calendarOwner, event.getWebLink(), joinUrl);
    }
}
