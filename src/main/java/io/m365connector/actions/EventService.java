package io.m365connector.actions;

import com.microsoft.graph.models.Attendee;
import com.microsoft.graph.models.AttendeeType;
import com.microsoft.graph.models.BodyType;
import com.microsoft.graph.models.EmailAddress;
import com.microsoft.graph.models.Event;
import com.microsoft.graph.models.ItemBody;
import com.microsoft.graph.models.Location;
import com.microsoft.graph.models.LocationType;
import com.microsoft.graph.models.OnlineMeetingProviderType;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.graph.users.item.UserItemRequestBuilder;
import com.microsoft.graph.users.item.events.item.cancel.CancelPostRequestBody;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.connection.Feature;
import io.m365connector.graph.GraphAccess;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.graph.GraphSession;
import io.m365connector.graph.Permissions;
import io.m365connector.idempotency.Idempotency;
import io.m365connector.outlook.MailRecipient;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Json;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Secrets;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Creates, updates and cancels events in the connected user's calendar (or a shared calendar).
 * Create is idempotent twice over: the Idempotency-Key record returns the first outcome, and the
 * Graph transactionId derived from connection + key makes Graph itself return the same event if a
 * retried create reaches it again, so an ambiguous failure, or a runner that died after the create
 * left, is safely retried. Updates repeat safely; a cancel or delete repeated after an ambiguous
 * failure that finds the event gone is done. Under an Idempotency-Key a cancel or delete records what
 * it is about to do before it does it, so a runner that takes over after a crash and finds the event
 * gone answers what the first one would have.
 */
public final class EventService {
    private static final Permissions OWN = Permissions.of(Feature.CALENDAR);
    private static final Permissions SHARED = Permissions.of(Feature.SHARED_CALENDAR);

    private final GraphAccess graph;
    private final Idempotency idempotency;

    public EventService(GraphAccess graph, Idempotency idempotency) {
        this.graph = Objects.requireNonNull(graph, "'graph' cannot be null.");
        this.idempotency = Objects.requireNonNull(idempotency, "'idempotency' cannot be null.");
    }

    public Idempotency.Outcome<EventView> create(ConnectionRef ref, String idempotencyKey, EventRequest request) {
        String owner = request.calendarOwner();
        GraphSession session = graph.open(ref, scopes(owner));
        String connectionId = session.connectionId();
        String transactionId = idempotencyKey == null ? UUID.randomUUID().toString()
                : UUID.nameUUIDFromBytes((connectionId + "\n" + idempotencyKey).getBytes(StandardCharsets.UTF_8)).toString();
        Idempotency.Request call = new Idempotency.Request(connectionId, idempotencyKey, "event", request.fingerprint());
        return idempotency.run(call, EventView.class, step -> {
            session.beforeEachAttempt(step::keepLease);
            Event created = session.call(Safety.REPEATABLE, client -> {
                Event event = toGraph(request);
                event.setTransactionId(transactionId);
                return calendar(client, owner).events().post(event);
            });
            return EventView.of(connectionId, created, owner);
        });
    }

    /** Applies the change; with a key, a retry gets the first outcome (a PATCH repeated after a crash sets the same values). */
    public Idempotency.Outcome<EventView> update(ConnectionRef ref, String idempotencyKey, EventTarget target, EventRequest request) {
        GraphSession session = graph.open(ref, scopes(target.calendarOwner()));
        String connectionId = session.connectionId();
        Idempotency.Request call = new Idempotency.Request(connectionId, idempotencyKey, "event-update",
                Secrets.sha256(target.eventId() + "\n" + target.calendarOwner() + "\n" + request.fingerprint()));
        return idempotency.run(call, EventView.class, step -> {
            session.beforeEachAttempt(step::keepLease);
            Event updated = session.call(Safety.REPEATABLE, client ->
                    calendar(client, target.calendarOwner()).events().byEventId(target.eventId()).patch(toGraph(request)));
            return EventView.of(connectionId, updated, target.calendarOwner());
        });
    }

    /** The event with each attendee's response, so the caller can tell whether a room accepted the booking. */
    public EventDetails get(ConnectionRef ref, EventTarget target) {
        GraphSession session = graph.open(ref, scopes(target.calendarOwner()));
        String connectionId = session.connectionId();
        Event event = session.call(Safety.REPEATABLE, client -> calendar(client, target.calendarOwner()).events()
                .byEventId(target.eventId()).get(rc -> rc.queryParameters.select = EventDetails.SELECT));
        return EventDetails.of(connectionId, event, target.calendarOwner());
    }

    /**
     * Cancels with a message when the user organizes the event and it has attendees; deletes it otherwise. Says which.
     * With a key, what is about to be done is recorded first: a runner taking over after a crash that finds the event
     * gone answers that, and one that finds it still there does it (the first runner never got to it).
     */
    public Idempotency.Outcome<EventRemoved> cancel(ConnectionRef ref, String idempotencyKey, CancelRequest request) {
        EventTarget target = request.target();
        GraphSession session = graph.open(ref, scopes(target.calendarOwner()));
        String connectionId = session.connectionId();
        Idempotency.Request call = new Idempotency.Request(connectionId, idempotencyKey, "event-cancel",
                Secrets.sha256(target.eventId() + "\n" + target.calendarOwner() + "\n" + request.comment()));
        // Claimed with "about to cancel/delete" (the lookup before it may run twice): two writes per keyed cancel.
        return idempotency.run(call, EventRemoved.class, Idempotency.Claim.WITH_FIRST_PROGRESS, step -> {
            session.beforeEachAttempt(step::keepLease);
            Optional<EventRemoved> recorded = step.progress().map(p -> Json.read(p, EventRemoved.class));
            Event existing;
            try {
                existing = session.call(Safety.REPEATABLE, client -> calendar(client, target.calendarOwner()).events()
                        .byEventId(target.eventId()).get(rc -> rc.queryParameters.select = new String[] {"id", "isOrganizer", "attendees"}));
            } catch (ConnectorException e) {
                if (e.code() == ProblemCode.NOT_FOUND && recorded.isPresent()) {
                    return recorded.get(); // the runner before this one removed it
                }
                throw e;
            }
            EventRemoved removal = removalOf(connectionId, target, existing);
            step.saveProgress(Json.write(removal)); // before the call: a runner taking over knows what was about to happen
            remove(session, target, request, removal);
            return removal;
        });
    }

    private static EventRemoved removalOf(String connectionId, EventTarget target, Event existing) {
        boolean cancel = Boolean.TRUE.equals(existing.getIsOrganizer()) && existing.getAttendees() != null && !existing.getAttendees().isEmpty();
        return cancel ? new EventRemoved(connectionId, target.eventId(), "cancelled", existing.getAttendees().size())
                : new EventRemoved(connectionId, target.eventId(), "deleted", null);
    }

    private void remove(GraphSession session, EventTarget target, CancelRequest request, EventRemoved removal) {
        if (removal.action().equals("cancelled")) {
            session.run(Safety.REMOVAL, client -> {
                CancelPostRequestBody body = new CancelPostRequestBody();
                body.setComment(request.comment() == null ? "" : request.comment());
                calendar(client, target.calendarOwner()).events().byEventId(target.eventId()).cancel().post(body);
            });
        } else {
            session.run(Safety.REMOVAL, client -> calendar(client, target.calendarOwner()).events().byEventId(target.eventId()).delete());
        }
    }

    private static UserItemRequestBuilder calendar(GraphServiceClient client, String calendarOwner) {
        return calendarOwner == null ? client.me() : client.users().byUserId(calendarOwner);
    }

    /** A fresh model per attempt: the SDK's backing store sends only changed values of a model it already sent. */
    private static Event toGraph(EventRequest r) {
        Event e = new Event();
        if (r.subject() != null) {
            e.setSubject(r.subject());
        }
        if (r.start() != null) {
            e.setStart(r.start().toGraph());
            e.setEnd(r.end().toGraph());
        }
        if (r.location() != null) {
            Location location = new Location();
            location.setDisplayName(r.location());
            e.setLocation(location);
        }
        if (r.body() != null) {
            ItemBody body = new ItemBody();
            body.setContentType("html".equals(r.bodyContentType()) ? BodyType.Html : BodyType.Text);
            body.setContent(r.body());
            e.setBody(body);
        }
        if (r.attendees() != null || r.rooms() != null) {
            List<Attendee> attendees = r.attendees() == null ? new ArrayList<>() : attendees(r.attendees());
            if (r.rooms() != null) {
                setRooms(e, r.rooms(), attendees);
            }
            e.setAttendees(attendees);
        }
        if (r.teamsMeeting() != null) {
            e.setIsOnlineMeeting(r.teamsMeeting());
            if (r.teamsMeeting()) {
                e.setOnlineMeetingProvider(OnlineMeetingProviderType.TeamsForBusiness);
            }
        }
        if (r.reminderMinutesBeforeStart() != null) {
            e.setIsReminderOn(true);
            e.setReminderMinutesBeforeStart(r.reminderMinutesBeforeStart());
        }
        return e;
    }

    private static List<Attendee> attendees(List<EventRequest.Attendee> requested) {
        List<Attendee> attendees = new ArrayList<>();
        for (EventRequest.Attendee a : requested) {
            attendees.add(attendee(a.recipient(), switch (a.type()) {
                case "optional" -> AttendeeType.Optional;
                case "resource" -> AttendeeType.Resource;
                default -> AttendeeType.Required;
            }));
        }
        return attendees;
    }

    private static Attendee attendee(MailRecipient recipient, AttendeeType type) {
        Attendee attendee = new Attendee();
        EmailAddress address = new EmailAddress();
        address.setAddress(recipient.address());
        if (recipient.name() != null) {
            address.setName(recipient.name());
        }
        attendee.setEmailAddress(address);
        attendee.setType(type);
        return attendee;
    }

    /** Each room becomes a location of the event (the first is the main one) and a resource attendee, as Outlook books rooms. */
    private static void setRooms(Event e, List<MailRecipient> rooms, List<Attendee> attendees) {
        List<Location> locations = new ArrayList<>();
        for (MailRecipient room : rooms) {
            locations.add(roomLocation(room));
            attendees.add(attendee(room, AttendeeType.Resource));
        }
        // A model of its own: the SDK's backing store would write a model it has already written as empty.
        e.setLocation(roomLocation(rooms.get(0)));
        e.setLocations(locations);
    }

    private static Location roomLocation(MailRecipient room) {
        Location location = new Location();
        location.setDisplayName(room.name() == null ? room.address() : room.name());
        location.setLocationEmailAddress(room.address());
        location.setLocationType(LocationType.ConferenceRoom);
        return location;
    }

    private static Permissions scopes(String calendarOwner) {
        return calendarOwner == null ? OWN : SHARED;
    }
}
