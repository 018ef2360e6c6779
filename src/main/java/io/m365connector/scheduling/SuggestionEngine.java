package io.m365connector.scheduling;

import io.m365connector.outlook.MailRecipient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Meeting-time suggestions computed from free/busy, following what Graph documents for findMeetingTimes
 * (user: findMeetingTimes, "The confidence of a meeting suggestion"; locationConstraint; activityDomain):
 * <ul>
 *   <li>candidates start at the window's start and every {@value #STEP_MINUTES} minutes after, and end within it;</li>
 *   <li>a candidate lies within the working hours of the organizer and every attendee (activityDomain);</li>
 *   <li>confidence = the average over attendees of 100 (free or working elsewhere), 49 (unknown), 0 (otherwise);
 *       100 without attendees;</li>
 *   <li>it is suggested when the organizer is free (unless optional), the confidence reaches the minimum, and
 *       (when a room is required) one of the rooms is free: the first free one in the order given;</li>
 *   <li>suggestions are ordered by confidence, then time, and cut at maxCandidates.</li>
 * </ul>
 * Graph says its own algorithm "undergoes fine-tuning from time to time"; this one is fixed.
 */
final class SuggestionEngine {
    static final int STEP_MINUTES = 30;

    private SuggestionEngine() {
    }

    /** A suggestion before it is written in the answer's time zone. */
    record Slot(Instant start, Instant end, double confidence, String organizer, List<MeetingTimes.AttendeeAvailability> attendees,
                MailRecipient room) {
    }

    /** The suggestions, or none and why. */
    record Result(List<Slot> slots, String emptyReason) {
    }

    static Result suggest(MeetingTimesRequest request, FreeBusy organizer, List<FreeBusy> attendees, List<FreeBusy> rooms) {
        List<Slot> all = new ArrayList<>();
        Duration step = Duration.ofMinutes(STEP_MINUTES);
        Instant end = request.window().endInstant();
        for (Instant s = request.window().startInstant(); !s.plus(request.duration()).isAfter(end); s = s.plus(step)) {
            Instant e = s.plus(request.duration());
            if (withinHours(s, e, request.activityDomain(), organizer, attendees)) {
                all.add(slot(request, s, e, organizer, attendees, rooms));
            }
        }
        List<Slot> good = all.stream().filter(slot -> suggested(request, slot)).sorted(Comparator.comparingDouble(Slot::confidence)
                .reversed().thenComparing(Slot::start)).limit(request.maxCandidates()).toList();
        return new Result(good, good.isEmpty() ? emptyReason(request, all, attendees) : null);
    }

    private static boolean withinHours(Instant start, Instant end, String domain, FreeBusy organizer, List<FreeBusy> attendees) {
        return organizer.allows(start, end, domain) && attendees.stream().allMatch(a -> a.allows(start, end, domain));
    }

    private static Slot slot(MeetingTimesRequest request, Instant start, Instant end, FreeBusy organizer, List<FreeBusy> attendees,
                             List<FreeBusy> rooms) {
        List<MeetingTimes.AttendeeAvailability> availability = new ArrayList<>();
        double chances = 0;
        for (FreeBusy a : attendees) {
            String status = a.availability(start, end);
            availability.add(new MeetingTimes.AttendeeAvailability(a.address(), status));
            chances += FreeBusy.isFree(status) ? 100 : status.equals("unknown") ? 49 : 0;
        }
        double confidence = attendees.isEmpty() ? 100 : chances / attendees.size();
        MailRecipient room = null;
        for (int i = 0; i < rooms.size() && room == null; i++) {
            if (FreeBusy.isFree(rooms.get(i).availability(start, end))) {
                room = request.rooms().get(i);
            }
        }
        return new Slot(start, end, confidence, organizer.availability(start, end), availability, room);
    }

    private static boolean suggested(MeetingTimesRequest request, Slot slot) {
        return organizerOk(request, slot) && meetsMinimum(request, slot) && roomOk(request, slot);
    }

    private static boolean organizerOk(MeetingTimesRequest request, Slot slot) {
        return request.organizerOptional() || FreeBusy.isFree(slot.organizer());
    }

    private static boolean meetsMinimum(MeetingTimesRequest request, Slot slot) {
        return slot.confidence() >= request.minimumAttendeePercentage();
    }

    private static boolean roomOk(MeetingTimesRequest request, Slot slot) {
        return request.rooms().isEmpty() || !request.roomRequired() || slot.room() != null;
    }

    /** Why nothing was suggested, in Graph's words, judged on the candidates within working hours. */
    private static String emptyReason(MeetingTimesRequest request, List<Slot> candidates, List<FreeBusy> attendees) {
        List<Slot> organizerFree = candidates.stream().filter(s -> organizerOk(request, s)).toList();
        if (!candidates.isEmpty() && organizerFree.isEmpty()) {
            return "organizerUnavailable";
        }
        if (organizerFree.stream().noneMatch(s -> meetsMinimum(request, s))) {
            return attendees.stream().anyMatch(FreeBusy::unknown) ? "attendeesUnavailableOrUnknown" : "attendeesUnavailable";
        }
        return "locationsUnavailable";
    }
}
