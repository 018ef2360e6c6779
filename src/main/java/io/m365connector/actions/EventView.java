package io.m365connector.actions;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.m365connector.graph.GraphValues;

/** An event as the API returns it after a create or update. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventView(String connectionId, String eventId, String calendarOwner, String webLink, String joinUrl) {
    /** From Graph's JSON for the event (a create's or an update's answer). */
    static EventView of(String connectionId, JsonNode answer, String calendarOwner) {
        JsonNode event = answer == null ? MissingNode.getInstance() : answer;
        return new EventView(connectionId, GraphValues.text(event, "id"), calendarOwner, GraphValues.text(event, "webLink"),
                GraphValues.text(event.path("onlineMeeting"), "joinUrl"));
    }
}
