package io.m365connector.scheduling;

import com.microsoft.graph.models.ActivityDomain;
import com.microsoft.graph.models.AttendeeAvailability;
import com.microsoft.graph.models.AttendeeBase;
import com.microsoft.graph.models.AttendeeType;
import com.microsoft.graph.models.DateTimeTimeZone;
import com.microsoft.graph.models.EmailAddress;
import com.microsoft.graph.models.FreeBusyStatus;
import com.microsoft.graph.models.Location;
import com.microsoft.graph.models.LocationConstraint;
import com.microsoft.graph.models.LocationConstraintItem;
import com.microsoft.graph.models.MeetingTimeSuggestion;
import com.microsoft.graph.models.MeetingTimeSuggestionsResult;
import com.microsoft.graph.models.TimeConstraint;
import com.microsoft.graph.models.TimeSlot;
import com.microsoft.graph.users.item.findmeetingtimes.FindMeetingTimesPostRequestBody;
import com.microsoft.kiota.PeriodAndDuration;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.graph.GraphSession;
import io.m365connector.outlook.MailRecipient;
import io.m365connector.outlook.OutlookPrefer;
import java.util.ArrayList;
import java.util.List;

/**
 * Graph's findMeetingTimes for a {@link MeetingTimesRequest}: people as attendees, the rooms as the
 * location constraint (resolveAvailability, so Graph checks that a room is free), the window as the
 * one time slot, answered in the request's time zone.
 */
final class FindMeetingTimes {
    private FindMeetingTimes() {
    }

    static MeetingTimes call(GraphSession session, MeetingTimesRequest request) {
        MeetingTimeSuggestionsResult result = session.call(Safety.REPEATABLE, client -> client.sdk().me().findMeetingTimes()
                .post(body(request), rc -> rc.headers.add("Prefer", OutlookPrefer.timeZone(request.window().timeZone()))));
        List<MeetingTimes.Suggestion> suggestions = new ArrayList<>();
        if (result != null && result.getMeetingTimeSuggestions() != null) {
            for (MeetingTimeSuggestion s : result.getMeetingTimeSuggestions()) {
                suggestions.add(suggestion(s, request));
            }
        }
        String reason = result == null || result.getEmptySuggestionsReason() == null || result.getEmptySuggestionsReason().isEmpty()
                || !suggestions.isEmpty() ? null : result.getEmptySuggestionsReason();
        return new MeetingTimes(session.connectionId(), MeetingTimes.FIND_MEETING_TIMES, request.window().timeZone(), suggestions, reason);
    }

    /** A fresh body per attempt (the SDK's backing store sends only what changed on a model it already sent). */
    private static FindMeetingTimesPostRequestBody body(MeetingTimesRequest request) {
        FindMeetingTimesPostRequestBody body = new FindMeetingTimesPostRequestBody();
        List<AttendeeBase> attendees = new ArrayList<>();
        for (String address : request.attendees()) {
            AttendeeBase attendee = new AttendeeBase();
            attendee.setType(AttendeeType.Required);
            attendee.setEmailAddress(email(address, null));
            attendees.add(attendee);
        }
        body.setAttendees(attendees);
        if (!request.rooms().isEmpty()) {
            body.setLocationConstraint(locations(request));
        }
        TimeConstraint time = new TimeConstraint();
        time.setActivityDomain(ActivityDomain.forValue(request.activityDomain()));
        TimeSlot slot = new TimeSlot();
        slot.setStart(request.window().start().toGraph());
        slot.setEnd(request.window().end().toGraph());
        time.setTimeSlots(List.of(slot));
        body.setTimeConstraint(time);
        body.setMeetingDuration(PeriodAndDuration.ofDuration(request.duration()));
        body.setMaxCandidates(request.maxCandidates());
        body.setMinimumAttendeePercentage(request.minimumAttendeePercentage());
        body.setIsOrganizerOptional(request.organizerOptional());
        body.setReturnSuggestionReasons(false);
        return body;
    }

    private static LocationConstraint locations(MeetingTimesRequest request) {
        LocationConstraint constraint = new LocationConstraint();
        constraint.setIsRequired(request.roomRequired());
        constraint.setSuggestLocation(false);
        List<LocationConstraintItem> items = new ArrayList<>();
        for (MailRecipient room : request.rooms()) {
            LocationConstraintItem item = new LocationConstraintItem();
            item.setDisplayName(room.name() == null ? room.address() : room.name());
            item.setLocationEmailAddress(room.address());
            item.setResolveAvailability(true);
            items.add(item);
        }
        constraint.setLocations(items);
        return constraint;
    }

    private static MeetingTimes.Suggestion suggestion(MeetingTimeSuggestion s, MeetingTimesRequest request) {
        List<MeetingTimes.AttendeeAvailability> attendees = new ArrayList<>();
        if (s.getAttendeeAvailability() != null) {
            for (AttendeeAvailability a : s.getAttendeeAvailability()) {
                String address = a.getAttendee() == null || a.getAttendee().getEmailAddress() == null ? null
                        : a.getAttendee().getEmailAddress().getAddress();
                attendees.add(new MeetingTimes.AttendeeAvailability(address, status(a.getAvailability())));
            }
        }
        MeetingTimes.Room room = null;
        for (Location l : s.getLocations() == null ? List.<Location>of() : s.getLocations()) {
            if (room == null && l.getLocationEmailAddress() != null && !l.getLocationEmailAddress().isBlank()) {
                room = new MeetingTimes.Room(l.getLocationEmailAddress(), l.getDisplayName());
            }
        }
        TimeSlot slot = s.getMeetingTimeSlot() == null ? new TimeSlot() : s.getMeetingTimeSlot();
        return new MeetingTimes.Suggestion(local(slot.getStart()), local(slot.getEnd()),
                MeetingTimes.round(s.getConfidence() == null ? 0 : s.getConfidence()), status(s.getOrganizerAvailability()), attendees, room);
    }

    private static String status(FreeBusyStatus status) {
        return status == null ? "unknown" : status.getValue();
    }

    private static String local(DateTimeTimeZone time) {
        return time == null ? null : Window.normalize(time.getDateTime());
    }

    private static EmailAddress email(String address, String name) {
        EmailAddress email = new EmailAddress();
        email.setAddress(address);
        if (name != null) {
            email.setName(name);
        }
        return email;
    }
}
