package io.m365connector.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.microsoft.azure.functions.annotation.QueueTrigger;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import io.m365connector.sync.ChangesQuery;
import io.m365connector.sync.SyncRequest;
import io.m365connector.sync.SyncService;
import io.m365connector.sync.SyncTimer;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Mailbox and calendar sync: the change feed a web app reads, the queue worker that runs a resource's
 * delta, and the timer that keeps every synced resource on schedule.
 */
public final class SyncFunctions {
    public static final String SYNC_QUEUE = "sync-requests";
    private static final Logger LOG = Logger.getLogger(SyncFunctions.class.getName());

    private final Supplier<SyncService> sync;
    private final Supplier<SyncTimer> timer;

    public SyncFunctions(Supplier<SyncService> sync, Supplier<SyncTimer> timer) {
        this.sync = sync;
        this.timer = timer;
    }

    @FunctionName("listChanges")
    public HttpResponseMessage listChanges(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, route = "connections/{id}/changes", authLevel = AuthorizationLevel.FUNCTION)
            HttpRequestMessage<Optional<String>> request,
            @BindingName("id") String id,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> HttpResponses.json(request, 200,
                sync.get().changes(HttpRequests.connectionRef(request, id), ChangesQuery.parse(request.getQueryParameters()))));
    }

    @FunctionName("syncWorker")
    public void syncWorker(
            @QueueTrigger(name = "message", queueName = SYNC_QUEUE, connection = "AzureWebJobsStorage") String message,
            ExecutionContext context) {
        Optional<SyncRequest> request = SyncRequest.parse(message);
        if (request.isEmpty()) {
            LOG.warning("Dropping a sync request that is not one");
            return;
        }
        sync.get().handle(request.get());
    }

    /** Every 5 minutes: each synced resource that is due gets a run (the poll where Graph does not notify, else the safety net). */
    @FunctionName("syncTimer")
    public void syncTimer(@TimerTrigger(name = "timer", schedule = "0 */5 * * * *") String timerInfo, ExecutionContext context) {
        timer.get().tick();
    }
}
