package io.m365connector.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.cloud.GraphCapability;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.graph.GraphAccess;
import io.m365connector.graph.GraphSession;
import io.m365connector.graph.Permissions;
import io.m365connector.outlook.MailRecipient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Meeting-time suggestions with one contract in every cloud: Graph's findMeetingTimes where the cloud
 * serves it and the connection has its permission (Calendars.Read.Shared), otherwise computed here
 * from getSchedule ({@link SuggestionEngine}). The answer says which way it was made.
 */
public final class MeetingTimeService {
    static final Permissions FIND_PERMISSIONS = new Permissions("meeting times (Graph: user: findMeetingTimes)",
            List.of(Set.of("Calendars.Read.Shared"), Set.of("Calendars.ReadWrite.Shared")),
            "the rooms feature (Calendars.Read.Shared) or the shared_calendar feature (Calendars.ReadWrite.Shared)");

    /** How long a cloud's refusal of findMeetingTimes is remembered by this instance. */
    static final Duration REMEMBER_REFUSAL = Duration.ofHours(1);

    private final GraphAccess graph;
    private final Clock clock;
    private final Map<NationalCloud, Instant> refusedUntil = new ConcurrentHashMap<>();

    MeetingTimeService(GraphAccess graph, Clock clock) {
        this.graph = Objects.requireNonNull(graph, "'graph' cannot be null.");
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
    }

    public MeetingTimes find(ConnectionRef ref, MeetingTimesRequest request) {
        Optional<GraphSession> find = graph.openIfHeld(ref, FIND_PERMISSIONS)
                .filter(s -> GraphCapability.FIND_MEETING_TIMES.mayBeServedIn(s.cloud()) && !refusedLately(s.cloud()));
        if (find.isPresent()) {
            try {
                return FindMeetingTimes.call(find.get(), request);
            } catch (NotSupportedInCloud notServed) {
                // the cloud's Graph refused it (Microsoft's pages disagree about 21Vianet): computed from getSchedule; when it said
                // it does not know the path, not asked again for an hour, so that each request does not pay for a refusal first
                // (another refusal may be about this request alone: a mailbox, an attendee), and only where Microsoft's pages
                // disagree: a cloud that serves it is asked again at the next request
                if (notServed.pathUnknown() && GraphCapability.FIND_MEETING_TIMES.in(notServed.cloud()) == GraphCapability.Support.UNCERTAIN) {
                    refusedUntil.put(find.get().cloud(), clock.instant().plus(REMEMBER_REFUSAL));
                }
            }
        }
        GraphSession session = graph.open(ref, Schedules.PERMISSIONS);
        return computed(session.connectionId(), session, request);
    }

    /** Forgets the refusals remembered (tests: each starts as a new instance would). */
    void forgetRefusals() {
        refusedUntil.clear();
    }

    private boolean refusedLately(NationalCloud cloud) {
        Instant until = refusedUntil.get(cloud);
        return until != null && clock.instant().isBefore(until);
    }

    /** One getSchedule call for the organizer, attendees and rooms (asked in UTC), then the suggestions from it. */
    private MeetingTimes computed(String connectionId, GraphSession session, MeetingTimesRequest request) {
        String organizer = session.userPrincipalName();
        List<String> addresses = new ArrayList<>();
        addresses.add(organizer);
        addresses.addAll(request.attendees());
        request.rooms().forEach(r -> addresses.add(r.address()));
        Map<String, FreeBusy> byAddress = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (JsonNode info : Schedules.fetch(session, addresses, request.window(), SuggestionEngine.STEP_MINUTES, "UTC")) {
            FreeBusy schedule = FreeBusy.of(info);
            if (schedule.address() != null) {
                byAddress.put(schedule.address(), schedule);
            }
        }
        List<FreeBusy> attendees = request.attendees().stream().map(a -> of(byAddress, a)).toList();
        List<FreeBusy> rooms = request.rooms().stream().map(MailRecipient::address).map(a -> of(byAddress, a)).toList();
        SuggestionEngine.Result result = SuggestionEngine.suggest(request, of(byAddress, organizer), attendees, rooms);
        List<MeetingTimes.Suggestion> suggestions = new ArrayList<>();
        for (SuggestionEngine.Slot slot : result.slots()) {
            MailRecipient room = slot.room();
            suggestions.add(new MeetingTimes.Suggestion(request.window().local(slot.start()), request.window().local(slot.end()),
                    MeetingTimes.round(slot.confidence()), slot.organizer(), slot.attendees(),
                    room == null ? null : new MeetingTimes.Room(room.address(), room.name() == null ? room.address() : room.name())));
        }
        return new MeetingTimes(connectionId, MeetingTimes.GET_SCHEDULE, request.window().timeZone(), suggestions, result.emptyReason());
    }

    /** A schedule Graph did not return at all counts as unknown, like one it returned an error for. */
    private static FreeBusy of(Map<String, FreeBusy> byAddress, String address) {
        FreeBusy known = byAddress.get(address);
        return known != null ? known : new FreeBusy(address, true, List.of(), null);
    }
}
