package io.m365connector.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import io.m365connector.reading.AttachmentContent;
import io.m365connector.reading.CalendarReader;
import io.m365connector.reading.EventQuery;
import io.m365connector.reading.ItemId;
import io.m365connector.reading.ItemQuery;
import io.m365connector.reading.MailReader;
import io.m365connector.reading.MessageQuery;
import java.util.Optional;
import java.util.function.Supplier;

/** Reading mail and calendars: a folder's messages, one message, one attachment's bytes, a calendar view. Function key required. */
public final class ReadingFunctions {
    private final Supplier<MailReader> mail;
    private final Supplier<CalendarReader> calendar;

    public ReadingFunctions(Supplier<MailReader> mail, Supplier<CalendarReader> calendar) {
        this.mail = mail;
        this.calendar = calendar;
    }

    @FunctionName("listMessages")
    public HttpResponseMessage listMessages(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, route = "connections/{id}/messages", authLevel = AuthorizationLevel.FUNCTION)
            HttpRequestMessage<Optional<String>> request,
            @BindingName("id") String id,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            MessageQuery query = MessageQuery.parse(request.getQueryParameters());
            return HttpResponses.json(request, 200, mail.get().list(HttpRequests.connectionRef(request, id), query));
        });
    }

    @FunctionName("getMessage")
    public HttpResponseMessage getMessage(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, route = "connections/{id}/messages/{messageId}",
                    authLevel = AuthorizationLevel.FUNCTION)
            HttpRequestMessage<Optional<String>> request,
            @BindingName("id") String id,
            @BindingName("messageId") String messageId,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            ItemId message = ItemId.parse("messageId", messageId);
            ItemQuery query = ItemQuery.message(request.getQueryParameters());
            return HttpResponses.json(request, 200, mail.get().get(HttpRequests.connectionRef(request, id), query.mailbox(), message,
                    query.bodyType()));
        });
    }

    @FunctionName("getAttachment")
    public HttpResponseMessage getAttachment(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, route = "connections/{id}/messages/{messageId}/attachments/{attachmentId}",
                    authLevel = AuthorizationLevel.FUNCTION)
            HttpRequestMessage<Optional<String>> request,
            @BindingName("id") String id,
            @BindingName("messageId") String messageId,
            @BindingName("attachmentId") String attachmentId,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            AttachmentContent content = mail.get().attachment(HttpRequests.connectionRef(request, id), ItemQuery.attachment(request.getQueryParameters()).mailbox(),
                    ItemId.parse("messageId", messageId),
                    ItemId.parse("attachmentId", attachmentId));
            return HttpResponses.download(request, content.contentType(), content.name(), content.content().toArray());
        });
    }

    @FunctionName("listEvents")
    public HttpResponseMessage listEvents(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, route = "connections/{id}/events", authLevel = AuthorizationLevel.FUNCTION)
            HttpRequestMessage<Optional<String>> request,
            @BindingName("id") String id,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            EventQuery query = EventQuery.parse(request.getQueryParameters());
            return HttpResponses.json(request, 200, calendar.get().view(HttpRequests.connectionRef(request, id), query));
        });
    }
}
