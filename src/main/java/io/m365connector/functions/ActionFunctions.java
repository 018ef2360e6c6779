package io.m365connector.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import io.m365connector.actions.CancelRequest;
import io.m365connector.actions.EventRequest;
import io.m365connector.actions.EventService;
import io.m365connector.actions.EventTarget;
import io.m365connector.actions.MailRequest;
import io.m365connector.actions.MailService;
import io.m365connector.idempotency.Idempotency;
import io.m365connector.platform.RequestValidationException;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** The actions the web app's backend calls: send mail, create/read/update/cancel events. Function key required. */
public final class ActionFunctions {
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");

    private final Supplier<MailService> mail;
    private final Supplier<EventService> events;

    public ActionFunctions(Supplier<MailService> mail, Supplier<EventService> events) {
        this.mail = mail;
        this.events = events;
    }

    @FunctionName("sendMail")
    public HttpResponseMessage sendMail(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, route = "connections/{id}/mail", authLevel = AuthorizationLevel.FUNCTION)
            HttpRequestMessage<Optional<String>> request,
            @BindingName("id") String id,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            String body = HttpRequests.jsonBody(request, MailRequest.MAX_REQUEST_BYTES);
            String key = idempotencyKey(request);
            return respond(request, 202, mail.get().send(HttpRequests.connectionRef(request, id), key, MailRequest.parse(body)));
        });
    }

    @FunctionName("createEvent")
    public HttpResponseMessage createEvent(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, route = "connections/{id}/events", authLevel = AuthorizationLevel.FUNCTION)
            HttpRequestMessage<Optional<String>> request,
            @BindingName("id") String id,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            String body = HttpRequests.jsonBody(request, EventRequest.MAX_REQUEST_BYTES);
            String key = idempotencyKey(request);
            return respond(request, 201, events.get().create(HttpRequests.connectionRef(request, id), key, EventRequest.parseCreate(body)));
        });
    }

    @FunctionName("getEvent")
    public HttpResponseMessage getEvent(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, route = "connections/{id}/events/{eventId}", authLevel = AuthorizationLevel.FUNCTION)
            HttpRequestMessage<Optional<String>> request,
            @BindingName("id") String id,
            @BindingName("eventId") String eventId,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            EventTarget target = EventTarget.parse(eventId, request.getQueryParameters().get("calendarOwner"));
            return HttpResponses.json(request, 200, events.get().get(HttpRequests.connectionRef(request, id), target));
        });
    }

    @FunctionName("updateEvent")
    public HttpResponseMessage updateEvent(
            @HttpTrigger(name = "req", methods = {HttpMethod.PATCH}, route = "connections/{id}/events/{eventId}", authLevel = AuthorizationLevel.FUNCTION)
            HttpRequestMessage<Optional<String>> request,
            @BindingName("id") String id,
            @BindingName("eventId") String eventId,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            String body = HttpRequests.jsonBody(request, EventRequest.MAX_REQUEST_BYTES);
            String key = idempotencyKey(request);
            EventTarget target = EventTarget.parse(eventId, request.getQueryParameters().get("calendarOwner"));
            return respond(request, 200, events.get().update(HttpRequests.connectionRef(request, id), key, target, EventRequest.parseUpdate(body)));
        });
    }

    @FunctionName("cancelEvent")
    public HttpResponseMessage cancelEvent(
            @HttpTrigger(name = "req", methods = {HttpMethod.DELETE}, route = "connections/{id}/events/{eventId}", authLevel = AuthorizationLevel.FUNCTION)
            HttpRequestMessage<Optional<String>> request,
            @BindingName("id") String id,
            @BindingName("eventId") String eventId,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            String key = idempotencyKey(request);
            CancelRequest cancel = CancelRequest.parse(eventId, request.getQueryParameters().get("calendarOwner"),
                    request.getQueryParameters().get("comment"));
            return respond(request, 200, events.get().cancel(HttpRequests.connectionRef(request, id), key, cancel));
        });
    }

    private static String idempotencyKey(HttpRequestMessage<?> request) {
        String key = HttpRequests.header(request, "Idempotency-Key");
        if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw new RequestValidationException(List.of(new RequestValidationException.FieldError("Idempotency-Key",
                    "Must be 1-255 visible ASCII characters, for example a UUID.")));
        }
        return key;
    }

    /** A result, marked as a replay when it is the stored outcome of an earlier request with the same key. */
    private static HttpResponseMessage respond(HttpRequestMessage<?> request, int status, Idempotency.Outcome<?> outcome) {
        return HttpResponses.json(request, status, outcome.value(), outcome.replayed());
    }
}
