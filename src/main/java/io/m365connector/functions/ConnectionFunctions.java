package io.m365connector.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import io.m365connector.connect.CompletionRequest;
import io.m365connector.connect.ConnectService;
import io.m365connector.connect.ListConnectionsRequest;
import io.m365connector.connect.StartRequest;
import java.util.Optional;
import java.util.function.Supplier;

/** The web app backend's connection API: create (or reconnect), list an owner's, status, disconnect. Function key required. */
public final class ConnectionFunctions {
    private final Supplier<ConnectService> service;

    public ConnectionFunctions(Supplier<ConnectService> service) {
        this.service = service;
    }

    @FunctionName("createConnection")
    public HttpResponseMessage create(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, route = "connections", authLevel = AuthorizationLevel.FUNCTION)
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            StartRequest body = StartRequest.parse(HttpRequests.jsonBody(request, HttpRequests.MAX_JSON_BYTES));
            return HttpResponses.json(request, 201, service.get().start(body));
        });
    }

    @FunctionName("listConnections")
    public HttpResponseMessage list(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, route = "connections", authLevel = AuthorizationLevel.FUNCTION)
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            ListConnectionsRequest query = ListConnectionsRequest.parse(request.getQueryParameters(),
                    HttpRequests.header(request, HttpRequests.OWNER_HEADER));
            return HttpResponses.json(request, 200, service.get().list(query));
        });
    }

    @FunctionName("getConnection")
    public HttpResponseMessage get(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, route = "connections/{id}", authLevel = AuthorizationLevel.FUNCTION)
            HttpRequestMessage<Optional<String>> request,
            @BindingName("id") String id,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            return HttpResponses.json(request, 200, service.get().status(HttpRequests.connectionRef(request, id)));
        });
    }

    @FunctionName("confirmCompletion")
    public HttpResponseMessage completion(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, route = "connections/{id}/completion", authLevel = AuthorizationLevel.FUNCTION)
            HttpRequestMessage<Optional<String>> request,
            @BindingName("id") String id,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            CompletionRequest body = CompletionRequest.parse(HttpRequests.jsonBody(request, HttpRequests.MAX_JSON_BYTES));
            return HttpResponses.json(request, 200, service.get().completion(HttpRequests.connectionRef(request, id), body));
        });
    }

    @FunctionName("deleteConnection")
    public HttpResponseMessage delete(
            @HttpTrigger(name = "req", methods = {HttpMethod.DELETE}, route = "connections/{id}", authLevel = AuthorizationLevel.FUNCTION)
            HttpRequestMessage<Optional<String>> request,
            @BindingName("id") String id,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            return HttpResponses.json(request, 200, service.get().disconnect(HttpRequests.connectionRef(request, id)));
        });
    }
}
