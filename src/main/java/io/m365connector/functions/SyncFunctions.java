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
import io.m365connector.sync.SharedMailboxSync;
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
    private final Supplier<SharedMailboxSync> sharedMailboxes;

    public SyncFunctions(Supplier<SyncService> sync, Supplier<SyncTimer> timer, Supplier<SharedMailboxSync> sharedMailboxes) {
        this.sync = sync;
        this.timer = timer;
        this.sharedMailboxes = sharedMailboxes;
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

    /** Starts syncing a shared mailbox's inbox and calendar for the connection (201; 200 when it was synced already). */
    @FunctionName("addSharedMailbox")
    public HttpResponseMessage addSharedMailbox(
            @HttpTrigger(name = "req", methods = {HttpMethod.PUT}, route = "connections/{id}/shared-mailboxes/{mailbox}",
                    authLevel = AuthorizationLevel.FUNCTION) HttpRequestMessage<Optional<String>> request,
            @BindingName("id") String id,
            @BindingName("mailbox") String mailbox,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> {
            SharedMailboxSync.View view = sharedMailboxes.get().add(HttpRequests.connectionRef(request, id), mailbox);
            return HttpResponses.json(request, view.created() ? 201 : 200, view);
        });
    }

    /** Stops syncing a shared mailbox (200 either way; {@code removed} says whether it was synced). */
    @FunctionName("removeSharedMailbox")
    public HttpResponseMessage removeSharedMailbox(
            @HttpTrigger(name = "req", methods = {HttpMethod.DELETE}, route = "connections/{id}/shared-mailboxes/{mailbox}",
                    authLevel = AuthorizationLevel.FUNCTION) HttpRequestMessage<Optional<String>> request,
            @BindingName("id") String id,
            @BindingName("mailbox") String mailbox,
            ExecutionContext context) {
        return HttpResponses.answer(request, () -> HttpResponses.json(request, 200,
                sharedMailboxes.get().remove(HttpRequests.connectionRef(request, id), mailbox)));
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
