package io.m365connector.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatusType;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import io.m365connector.sync.NotificationReceiver;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where Microsoft Graph delivers change notifications and lifecycle notifications (anonymous: Graph
 * sends no key; each notification proves itself with its subscription's clientState). Graph's rules:
 * the validation handshake within 10 s; every notification answered 2xx soon (the webhooks page now says within 10 s,
 * its older version 3 s: answered well within both, see {@code NotificationReceiver}).
 */
public final class GraphNotificationFunctions {
    private final Supplier<NotificationReceiver> receiver;

    public GraphNotificationFunctions(Supplier<NotificationReceiver> receiver) {
        this.receiver = receiver;
    }

    @FunctionName("graphNotifications")
    public HttpResponseMessage notifications(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, route = "graph/notifications", authLevel = AuthorizationLevel.ANONYMOUS)
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return answer(request);
    }

    @FunctionName("graphLifecycle")
    public HttpResponseMessage lifecycle(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, route = "graph/lifecycle", authLevel = AuthorizationLevel.ANONYMOUS)
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return answer(request);
    }

    private HttpResponseMessage answer(HttpRequestMessage<Optional<String>> request) {
        NotificationReceiver.Answer answer = receiver.get().receive(request.getQueryParameters(), request.getBody().orElse(null));
        HttpResponseMessage.Builder builder = request.createResponseBuilder(HttpStatusType.custom(answer.status()))
                .header("Cache-Control", "no-store");
        if (answer.contentType() != null) {
            builder.header("Content-Type", answer.contentType()).body(answer.body());
        }
        return builder.build();
    }
}
