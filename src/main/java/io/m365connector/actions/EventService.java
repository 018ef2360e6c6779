package io.m365connector.actions;

import com.microsoft.graph.models.Attendee;
import com.microsoft.graph.models.AttendeeType;
import com.microsoft.graph.models.BodyType;
import com.microsoft.graph.models.DateTimeTimeZone;
import com.microsoft.graph.models.EmailAddress;
import com.microsoft.graph.models.Event;
import com.microsoft.graph.models.ItemBody;
import com.microsoft.graph.models.Location;
import com.microsoft.graph.models.OnlineMeetingProviderType;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.graph.users.item.UserItemRequestBuilder;
import com.microsoft.graph.users.item.events.item.cancel.CancelPostRequestBody;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Json;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.RequestValidationException;
import io.m365connector.tokens.AccessToken;
import io.m365connector.tokens.TokenBroker;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Creates, updates and cancels events in the connected user's calendar (or a shared calendar).
 * Create is idempotent twice over: the Idempotency-Key record returns the first outcome, and the
 * Graph transactionId derived from connection + key makes Graph itself return the same event if a
 * retried create reaches it again, so an ambiguous failure can safely be retried.
 */
public final class EventService {
    private static final Set<String> OWN = Set.of("Calendars.ReadWrite");
    private static final Set<String> SHARED = Set.of("Calendars.ReadWrite.Shared");
    private static final Pattern EVENT_ID = Pattern.compile("[A-Za-z0-9_=+-]{1,512}");
    private static final DateTimeFormatter GRAPH_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    private final TokenBroker broker;
    private final GraphGateway graph;
    private final Idempotency idempotency;
    private final GraphRetry retry;

    public EventService(TokenBroker broker, GraphGateway graph, Idempotency idempotency) {
        this.broker = broker;
        this.graph = graph;
        this.idempotency = idempotency;
        this.retry = GraphRetry.defaults();
    }

    public ActionResult create(String connectionId, String idempotencyKey, String rawBody, EventRequest request) {
        broker.tokenFor(connectionId, scopes(request.calendarOwner()));
        String transactionId = idempotencyKey == null ? UUID.randomUUID().toString()
                : UUID.nameUUIDFromBytes((connectionId + "\n" + idempotencyKey).getBytes(StandardCharsets.UTF_8)).toString();
        return idempotency.run(connectionId, idempotencyKey, "event", Idempotency.requestHash("event", rawBody), step -> {
            // A fresh model per attempt: the SDK's backing store sends only changed values of a model it already sent.
            Event created = retry.idempotent(connectionId, () -> {
                Event event = toGraph(request);
                event.setTransactionId(transactionId);
                return calendar(connectionId, request.calendarOwner()).events().post(event);
            });
            return new ActionResult(201, Json.write(view(connectionId, created, request.calendarOwner(), null)), false);
        });
    }

    public ActionResult update(String connectionId, String eventId, String calendarOwner, EventRequest request) {
        requireEventId(eventId);
        requireOwner(calendarOwner);
        broker.tokenFor(connectionId, scopes(calendarOwner));
        Event updated = retry.idempotent(connectionId, () -> calendar(connectionId, calendarOwner).events().byEventId(eventId)
                .patch(toGraph(request)));
        return new ActionResult(200, Json.write(view(connectionId, updated, calendarOwner, null)), false);
    }

    /** Cancels with a message when the user organizes the event and it has attendees; deletes it otherwise. Says which. */
    public ActionResult cancel(String connectionId, String eventId, String calendarOwner, String comment) {
        requireEventId(eventId);
        requireOwner(calendarOwner);
        if (comment != null && (comment.length() > 2000 || EmailAddresses.hasControl(comment.replace("\n", "").replace("\r", "")))) {
            throw new RequestValidationException(List.of(new RequestValidationException.FieldError("comment",
                    "At most 2000 characters, without control characters other than line breaks.")));
        }
        broker.tokenFor(connectionId, scopes(calendarOwner));
        Event existing = retry.idempotent(connectionId, () -> calendar(connectionId, calendarOwner).events().byEventId(eventId)
                .get(rc -> rc.queryParameters.select = new String[] {"id", "isOrganizer", "attendees"}));
        boolean cancel = Boolean.TRUE.equals(existing.getIsOrganizer()) && existing.getAttendees() != null && !existing.getAttendees().isEmpty();
        if (cancel) {
            retry.idempotent(connectionId, () -> {
                CancelPostRequestBody body = new CancelPostRequestBody();
                body.setComment(comment == null ? "" : comment);
                calendar(connectionId, calendarOwner).events().byEventId(eventId).cancel().post(body);
                return null;
            });
        } else {
            retry.idempotent(connectionId, () -> {
                calendar(connectionId, calendarOwner).events().byEventId(eventId).delete();
                return null;
            });
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("connectionId", connectionId);
        result.put("eventId", eventId);
        result.put("action", cancel ? "cancelled" : "deleted");
        if (cancel) {
            result.put("attendeesNotified", existing.getAttendees().size());
        }
        return new ActionResult(200, Json.write(result), false);
    }

    private UserItemRequestBuilder calendar(String connectionId, String calendarOwner) {
        AccessToken token = broker.tokenFor(connectionId, scopes(calendarOwner));
        GraphServiceClient client = graph.client(token.connection().cloud(), token.value());
        return calendarOwner == null ? client.me() : client.users().byUserId(calendarOwner);
    }

    private static Event toGraph(EventRequest r) {
        Event e = new Event();
        if (r.subject() != null) {
            e.setSubject(r.subject());
        }
        if (r.start() != null) {
            e.setStart(time(r.start()));
            e.setEnd(time(r.end()));
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
        if (r.attendees() != null) {
            List<Attendee> attendees = new ArrayList<>();
            for (EventRequest.Attendee a : r.attendees()) {
                Attendee attendee = new Attendee();
                EmailAddress address = new EmailAddress();
                address.setAddress(a.recipient().address());
                if (a.recipient().name() != null) {
                    address.setName(a.recipient().name());
                }
                attendee.setEmailAddress(address);
                attendee.setType(switch (a.type()) {
                    case "optional" -> AttendeeType.Optional;
                    case "resource" -> AttendeeType.Resource;
                    default -> AttendeeType.Required;
                });
                attendees.add(attendee);
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

    private static DateTimeTimeZone time(EventRequest.Time t) {
        DateTimeTimeZone d = new DateTimeTimeZone();
        d.setDateTime(GRAPH_TIME.format(t.dateTime()));
        d.setTimeZone(t.timeZone());
        return d;
    }

    private static Map<String, Object> view(String connectionId, Event event, String calendarOwner, String action) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("connectionId", connectionId);
        body.put("eventId", event.getId());
        if (calendarOwner != null) {
            body.put("calendarOwner", calendarOwner);
        }
        if (event.getWebLink() != null) {
            body.put("webLink", event.getWebLink());
        }
        if (event.getOnlineMeeting() != null && event.getOnlineMeeting().getJoinUrl() != null) {
            body.put("joinUrl", event.getOnlineMeeting().getJoinUrl());
        }
        if (action != null) {
            body.put("action", action);
        }
        return body;
    }

    private static void requireEventId(String eventId) {
        if (eventId == null || !EVENT_ID.matcher(eventId).matches()) {
            throw new RequestValidationException(List.of(new RequestValidationException.FieldError("eventId",
                    "Not an event id: use the eventId returned when the event was created.")));
        }
    }

    private static void requireOwner(String calendarOwner) {
        if (calendarOwner != null && EmailAddresses.problem(calendarOwner) != null) {
            throw new RequestValidationException(List.of(new RequestValidationException.FieldError("calendarOwner",
                    EmailAddresses.problem(calendarOwner))));
        }
    }

    private static Set<String> scopes(String calendarOwner) {
        return calendarOwner == null ? OWN : SHARED;
    }

    static ConnectorException notFound(String connectionId) {
        return new ConnectorException(ProblemCode.NOT_FOUND, "No such event in that calendar.", connectionId, null);
    }
}
