package io.m365connector.scheduling;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The answer of POST /connections/{id}/meeting-times, the same whichever way it was made.
 *
 * @param computedBy             {@code findMeetingTimes} (Graph suggested the times) or {@code getSchedule}
 *                               (computed here from free/busy: in 21Vianet, or when the connection has no
 *                               permission for findMeetingTimes)
 * @param suggestions            best first: highest confidence, then earliest
 * @param emptySuggestionsReason when there is none: attendeesUnavailable | attendeesUnavailableOrUnknown |
 *                               locationsUnavailable | organizerUnavailable | unknown
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MeetingTimes(String connectionId, String computedBy, String timeZone, List<Suggestion> suggestions,
                           String emptySuggestionsReason) {
    public static final String FIND_MEETING_TIMES = "findMeetingTimes";
    public static final String GET_SCHEDULE = "getSchedule";

    public MeetingTimes {
        suggestions = List.copyOf(suggestions);
    }

    /**
     * @param confidence             the average chance that the attendees come (free 100, unknown 49, busy 0), two decimals
     * @param organizerAvailability  free | tentative | busy | oof | workingElsewhere | unknown
     * @param room                   the first of the requested rooms free at that time, if any
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Suggestion(String start, String end, double confidence, String organizerAvailability,
                             List<AttendeeAvailability> attendeeAvailability, Room room) {
        public Suggestion {
            attendeeAvailability = List.copyOf(attendeeAvailability);
        }
    }

    public record AttendeeAvailability(String address, String availability) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Room(String address, String name) {
    }

    static double round(double confidence) {
        return Math.round(confidence * 100) / 100.0;
    }
}
