package io.m365connector.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import io.m365connector.scheduling.AvailabilityRequest;
import io.m365connector.scheduling.MeetingTimesRequest;
import io.m365connector.scheduling.RoomsRequest;
import io.m365connector.scheduling.SchedulingServices;
import java.util.Optional;
import java.util.function.Supplier;

/** Rooms and availability: list rooms, free/busy of people and rooms, meeting-time suggestions. Function key required. */
public final class SchedulingFunctions {
    private final Supplier<SchedulingServices> services;

    public SchedulingFunctions(Supplier<SchedulingServices> services) {
        this.services = services;
    }

    @FunctionName("listRooms")
    public HttpResponseMessage listRooms(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, route = "connections/{id}/rooms", authLevel = AuthorizationLevel.FUNCTION)
            HttpRequestMessage<Optional<String>> request,
            @BindingName("id") String id,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            RoomsRequest query = RoomsRequest.parse(request.getQueryParameters());
            return HttpResponses.json(request, 200, services.get().rooms().list(HttpRequests.connectionRef(request, id), query));
        });
    }

    @FunctionName("getAvailability")
    public HttpResponseMessage getAvailability(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, route = "connections/{id}/availability", authLevel = AuthorizationLevel.FUNCTION)
            HttpRequestMessage<Optional<String>> request,
            @BindingName("id") String id,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            String body = HttpRequests.jsonBody(request, AvailabilityRequest.MAX_REQUEST_BYTES);
            return HttpResponses.json(request, 200, services.get().availability().get(HttpRequests.connectionRef(request, id), AvailabilityRequest.parse(body)));
        });
    }

    @FunctionName("findMeetingTimes")
    public HttpResponseMessage findMeetingTimes(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, route = "connections/{id}/meeting-times", authLevel = AuthorizationLevel.FUNCTION)
            HttpRequestMessage<Optional<String>> request,
            @BindingName("id") String id,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            String body = HttpRequests.jsonBody(request, MeetingTimesRequest.MAX_REQUEST_BYTES);
            return HttpResponses.json(request, 200, services.get().meetingTimes().find(HttpRequests.connectionRef(request, id), MeetingTimesRequest.parse(body)));
        });
    }
}
