package io.m365connector.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.kiota.HttpMethod;
import io.m365connector.graph.GraphJsonRequests;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.graph.GraphSession;
import io.m365connector.graph.GraphValues;
import io.m365connector.graph.Permissions;
import io.m365connector.outlook.OutlookPrefer;
import io.m365connector.platform.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Graph's getSchedule, for the availability answer and for meeting times computed from free/busy. Its JSON is written and
 * read with the app's Jackson ({@code SchedulingJsonTest} compares it with the SDK's models): statuses come back in either
 * letter case, which the SDK's enums read as nothing.
 */
final class Schedules {
    /** getSchedule's least privileged permission first (rooms feature), then the calendar feature's. */
    static final Permissions PERMISSIONS = new Permissions("free/busy (Graph: calendar: getSchedule)",
            List.of(Set.of("Calendars.ReadBasic"), Set.of("Calendars.Read"), Set.of("Calendars.ReadWrite")),
            "the rooms feature (Calendars.ReadBasic) or the calendar feature (Calendars.ReadWrite)");

    private Schedules() {
    }

    /**
     * One getSchedule call: each schedule's scheduleInformation, in the order asked for. Times in the answer are in
     * {@code answerZone} (Graph's {@code Prefer: outlook.timezone}; UTC without it).
     */
    static List<JsonNode> fetch(GraphSession session, List<String> schedules, Window window, int intervalMinutes, String answerZone) {
        byte[] body = body(schedules, window, intervalMinutes);
        JsonNode answer = session.call(Safety.REPEATABLE, client -> GraphJsonRequests.send(client, HttpMethod.POST,
                "{+baseurl}/me/calendar/getSchedule", Map.of(), body, List.of(OutlookPrefer.timeZone(answerZone))));
        return GraphValues.list(answer, "value");
    }

    /** The parameters with the capitals the SDK's request body wrote (Graph's metadata names the action's parameters so). */
    static byte[] body(List<String> schedules, Window window, int intervalMinutes) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("AvailabilityViewInterval", intervalMinutes);
        body.set("EndTime", window.end().toJson());
        ArrayNode names = body.putArray("Schedules");
        schedules.forEach(names::add);
        body.set("StartTime", window.start().toJson());
        return Json.bytes(body);
    }
}
