package io.m365connector.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.kiota.HttpMethod;
import io.m365connector.cloud.GraphCapability;
import io.m365connector.graph.GraphJsonRequests;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.graph.GraphSession;
import io.m365connector.graph.GraphValues;
import io.m365connector.outlook.MailRecipient;
import io.m365connector.outlook.OutlookPrefer;
import io.m365connector.platform.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Graph's findMeetingTimes for a {@link MeetingTimesRequest}: people as attendees, the rooms as the
 * location constraint (resolveAvailability, so Graph checks that a room is free), the window as the
 * one time slot, answered in the request's time zone. Written and read as JSON ({@code SchedulingJsonTest} compares it
 * with the SDK's models): Graph's values come in either letter case.
 */
final class FindMeetingTimes {
    private FindMeetingTimes() {
    }

    /** {@link NotSupportedInCloud} when Graph in the connection's cloud does not know findMeetingTimes. */
    static MeetingTimes call(GraphSession session, MeetingTimesRequest request) {
        byte[] body = body(request);
        JsonNode result = session.call(Safety.REPEATABLE, client -> {
            try {
                return GraphJsonRequests.send(client, HttpMethod.POST, "{+baseurl}/me/findMeetingTimes", Map.of(), body,
                        List.of(OutlookPrefer.timeZone(request.window().timeZone())));
            } catch (ODataError e) {
                if (notServed(e, session)) { // the caller computes the suggestions instead
                    throw new NotSupportedInCloud(GraphCapability.FIND_MEETING_TIMES, session.cloud(), session.connectionId(), "",
                            NotSupportedInCloud.isSegmentRefusal(e));
                }
                throw e;
            }
        });
        return read(session.connectionId(), request, result);
    }

    /**
     * Whether Graph refused findMeetingTimes as a path it does not have. Where Microsoft's pages disagree (21Vianet) no
     * report shows the refusal's form, so any 400, 404 or 501 counts there (a request of ours Graph found wrong is then
     * answered from getSchedule rather than refused); elsewhere only the segment refusal.
     */
    private static boolean notServed(ODataError e, GraphSession session) {
        int status = e.getResponseStatusCode();
        return NotSupportedInCloud.isSegmentRefusal(e) || (GraphCapability.FIND_MEETING_TIMES.in(session.cloud()) == GraphCapability.Support.UNCERTAIN
                && (status == 400 || status == 404 || status == 501));
    }

    /** Graph's answer as the API's: suggestions that name a room name one that was asked for. */
    static MeetingTimes read(String connectionId, MeetingTimesRequest request, JsonNode result) {
        List<MeetingTimes.Suggestion> suggestions = new ArrayList<>();
        for (JsonNode s : GraphValues.list(result, "meetingTimeSuggestions")) {
            suggestion(s, request).ifPresent(suggestions::add);
        }
        String reason = GraphValues.text(result, "emptySuggestionsReason");
        reason = reason == null || reason.isEmpty() || !suggestions.isEmpty() ? null
                : reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1); // "AttendeesUnavailable" in Learn's example
        if (suggestions.isEmpty() && reason == null && !GraphValues.list(result, "meetingTimeSuggestions").isEmpty()) {
            reason = "locationsUnavailable"; // Graph's suggestions all named rooms not asked for (suggestion), as the computed way says
        }
        return new MeetingTimes(connectionId, MeetingTimes.FIND_MEETING_TIMES, request.window().timeZone(), suggestions, reason);
    }

    static byte[] body(MeetingTimesRequest request) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode attendees = body.putArray("attendees");
        for (String address : request.attendees()) {
            ObjectNode attendee = attendees.addObject();
            attendee.putObject("emailAddress").put("address", address);
            attendee.put("@odata.type", "#microsoft.graph.attendeeBase");
            attendee.put("type", "required");
        }
        if (!request.rooms().isEmpty()) {
            ObjectNode constraint = body.putObject("locationConstraint");
            constraint.put("isRequired", request.roomRequired());
            ArrayNode locations = constraint.putArray("locations");
            for (MailRecipient room : request.rooms()) {
                locations.addObject().put("displayName", room.name() == null ? room.address() : room.name())
                        .put("locationEmailAddress", room.address()).put("@odata.type", "#microsoft.graph.locationConstraintItem")
                        .put("resolveAvailability", true);
            }
            constraint.put("suggestLocation", false);
        }
        body.put("isOrganizerOptional", request.organizerOptional());
        body.put("maxCandidates", request.maxCandidates());
        body.put("meetingDuration", request.duration().toString());
        body.put("minimumAttendeePercentage", request.minimumAttendeePercentage());
        body.put("returnSuggestionReasons", false);
        ObjectNode time = body.putObject("timeConstraint");
        time.put("activityDomain", request.activityDomain());
        ObjectNode slot = time.putArray("timeSlots").addObject();
        slot.set("end", request.window().end().toJson());
        slot.set("start", request.window().start().toJson());
        return Json.bytes(body);
    }

    /**
     * One suggestion. With resolveAvailability Graph "looks for another resource that is free" when a room asked for is
     * busy (Learn: locationConstraintItem), so a room not asked for is never named: without one of those free, a slot
     * that needs a room is left out, and one that does not is suggested without a room.
     */
    private static Optional<MeetingTimes.Suggestion> suggestion(JsonNode s, MeetingTimesRequest request) {
        List<MeetingTimes.AttendeeAvailability> attendees = new ArrayList<>();
        for (JsonNode a : GraphValues.list(s, "attendeeAvailability")) {
            attendees.add(new MeetingTimes.AttendeeAvailability(GraphValues.text(a.path("attendee").path("emailAddress"), "address"),
                    status(GraphValues.text(a, "availability"))));
        }
        MeetingTimes.Room room = null;
        for (JsonNode l : GraphValues.list(s, "locations")) {
            String address = GraphValues.text(l, "locationEmailAddress");
            if (room == null && address != null && asked(request, address)) {
                room = new MeetingTimes.Room(address, GraphValues.text(l, "displayName"));
            }
        }
        if (room == null && request.roomRequired() && !request.rooms().isEmpty()) {
            return Optional.empty();
        }
        JsonNode slot = s.path("meetingTimeSlot");
        return Optional.of(new MeetingTimes.Suggestion(Window.normalize(slot.path("start")), Window.normalize(slot.path("end")),
                MeetingTimes.round(s.path("confidence").asDouble(0)), status(GraphValues.text(s, "organizerAvailability")), attendees, room));
    }

    private static boolean asked(MeetingTimesRequest request, String address) {
        return request.rooms().stream().anyMatch(r -> r.address().equalsIgnoreCase(address));
    }

    private static String status(String value) {
        String status = FreeBusy.status(value);
        return status == null ? "unknown" : status;
    }
}
