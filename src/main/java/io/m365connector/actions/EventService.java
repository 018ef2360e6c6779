package io.m365connector.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.kiota.HttpMethod;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.graph.users.item.UserItemRequestBuilder;
import com.microsoft.graph.users.item.events.item.cancel.CancelPostRequestBody;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.connection.Feature;
import io.m365connector.graph.GraphAccess;
import io.m365connector.graph.GraphJsonRequests;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.graph.GraphSession;
import io.m365connector.graph.Permissions;
import io.m365connector.graph.ReadPermissions;
import io.m365connector.idempotency.Idempotency;
import io.m365connector.outlook.MailRecipient;
import io.m365connector.outlook.OutlookPrefer;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Json;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Secrets;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
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
    /**
     * Every event request asks for immutable ids (the header counts for its own request only: Learn, Get immutable
     * identifiers for Outlook resources), so the ids this service answers are the ones the calendar view and the change
     * feed show, and stay the same when the event moves. Graph takes either form in a request, so ids given out before stay good.
     */
    private static final List<String> IDS = List.of(OutlookPrefer.IMMUTABLE_IDS);

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
            JsonNode created = session.call(Safety.REPEATABLE, client -> GraphJsonRequests.send(client, HttpMethod.POST,
                    EventJson.events(owner), EventJson.parameters(owner, null), EventJson.body(request, transactionId), IDS));
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
            byte[] body = EventJson.update(request, keptRooms(session, target, request));
            JsonNode updated = session.call(Safety.REPEATABLE, client -> GraphJsonRequests.send(client, HttpMethod.PATCH,
                    EventJson.event(target.calendarOwner()), EventJson.parameters(target.calendarOwner(), target.eventId()), body, IDS));
            return EventView.of(connectionId, updated, target.calendarOwner());
        });
    }

    /**
     * New attendees without rooms: the event's rooms are read first and kept (API.md: a PATCH changes only the fields
     * given; Graph's attendees replace the whole list, rooms included, and a room left out cancels its booking).
     */
    private static List<MailRecipient> keptRooms(GraphSession session, EventTarget target, EventRequest request) {
        if (request.attendees() == null || request.rooms() != null) {
            return List.of();
        }
        JsonNode event = session.call(Safety.REPEATABLE, client -> GraphJsonRequests.get(client, EventJson.event(target.calendarOwner()),
                EventJson.parameters(target.calendarOwner(), target.eventId()), select("attendees", "locations"), IDS));
        return EventJson.bookedRooms(event);
    }

    /** The event with each attendee's response, so the caller can tell whether a room accepted the booking. */
    public EventDetails get(ConnectionRef ref, EventTarget target) {
        // a read: calendar_read (the feed's events) reads as well as calendar
        GraphSession session = graph.open(ref, target.calendarOwner() == null ? ReadPermissions.CALENDAR : ReadPermissions.SHARED_CALENDAR);
        String connectionId = session.connectionId();
        JsonNode event = session.call(Safety.REPEATABLE, client -> GraphJsonRequests.get(client, EventJson.event(target.calendarOwner()),
                EventJson.parameters(target.calendarOwner(), target.eventId()), select(EventDetails.SELECT), IDS));
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
            JsonNode existing;
            try {
                existing = session.call(Safety.REPEATABLE, client -> GraphJsonRequests.get(client, EventJson.event(target.calendarOwner()),
                        EventJson.parameters(target.calendarOwner(), target.eventId()), select("id", "isOrganizer", "attendees"), IDS));
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

    private static EventRemoved removalOf(String connectionId, EventTarget target, JsonNode existing) {
        boolean cancel = existing.path("isOrganizer").asBoolean(false) && existing.path("attendees").size() > 0;
        return cancel ? new EventRemoved(connectionId, target.eventId(), "cancelled", existing.path("attendees").size())
                : new EventRemoved(connectionId, target.eventId(), "deleted", null);
    }

    private void remove(GraphSession session, EventTarget target, CancelRequest request, EventRemoved removal) {
        if (removal.action().equals("cancelled")) {
            session.run(Safety.REMOVAL, client -> {
                CancelPostRequestBody body = new CancelPostRequestBody();
                body.setComment(request.comment() == null ? "" : request.comment());
                calendar(client.sdk(), target.calendarOwner()).events().byEventId(target.eventId()).cancel().post(body);
            });
        } else {
            session.run(Safety.REMOVAL, client -> calendar(client.sdk(), target.calendarOwner()).events().byEventId(target.eventId()).delete());
        }
    }

    private static UserItemRequestBuilder calendar(GraphServiceClient client, String calendarOwner) {
        return calendarOwner == null ? client.me() : client.users().byUserId(calendarOwner);
    }

    private static Map<String, Object> select(String... fields) {
        return Map.of("%24select", fields);
    }

    private static Permissions scopes(String calendarOwner) {
        return calendarOwner == null ? OWN : SHARED;
    }
}
