package io.m365connector.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.QueueTrigger;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import io.m365connector.health.AppCredentialMonitor;
import io.m365connector.maintenance.Housekeeping;
import io.m365connector.maintenance.NotificationWorker;
import io.m365connector.maintenance.RefreshMessage;
import io.m365connector.maintenance.RefreshSweep;
import io.m365connector.maintenance.RefreshWorker;
import io.m365connector.platform.Json;
import java.util.function.Supplier;

/**
 * Token maintenance: the timer sweep (a singleton: the Functions host runs a timer on one instance
 * at a time), the refresh workers (a queue: Functions spreads them over instances), webhook
 * delivery, and the app credential check. host.json sets the queue batch size, dequeue count and
 * visibility timeout.
 */
public final class MaintenanceFunctions {
    /** Must match host.json's extensions.queues.maxDequeueCount. */
    static final long MAX_DEQUEUE_COUNT = 5;
    public static final String REFRESH_QUEUE = "refresh-requests";
    public static final String NOTIFICATION_QUEUE = "status-notifications";
    /** Where the notification worker (and the Functions host, after maxDequeueCount) puts the events given up on. */
    public static final String NOTIFICATION_POISON_QUEUE = NOTIFICATION_QUEUE + "-poison";

    private final Supplier<RefreshSweep> sweep;
    private final Supplier<RefreshWorker> worker;
    private final Supplier<NotificationWorker> notifications;
    private final Supplier<Housekeeping> housekeeping;
    private final Supplier<AppCredentialMonitor> appCredentials;

    public MaintenanceFunctions(Supplier<RefreshSweep> sweep, Supplier<RefreshWorker> worker, Supplier<NotificationWorker> notifications,
                                Supplier<Housekeeping> housekeeping, Supplier<AppCredentialMonitor> appCredentials) {
        this.sweep = sweep;
        this.worker = worker;
        this.notifications = notifications;
        this.housekeeping = housekeeping;
        this.appCredentials = appCredentials;
    }

    /**
     * Every 5 minutes: checks each cloud's app credential whose last check (by any instance, or the
     * health endpoint) is older than APP_CREDENTIAL_CHECK_MINUTES; a change is logged and announced once.
     */
    @FunctionName("appCredentialCheck")
    public void appCredentialCheck(@TimerTrigger(name = "timer", schedule = "0 */5 * * * *") String timerInfo, ExecutionContext context) {
        appCredentials.get().checkDue();
    }

    /** Daily at 03:17 UTC: removes expired login sessions, idempotency records and change feed rows older than 8 days. */
    @FunctionName("housekeeping")
    public void housekeeping(@TimerTrigger(name = "timer", schedule = "0 17 3 * * *") String timerInfo, ExecutionContext context) {
        housekeeping.get().run();
    }

    @FunctionName("refreshSweep")
    public void refreshSweep(@TimerTrigger(name = "timer", schedule = "%REFRESH_SCHEDULE%") String timerInfo, ExecutionContext context) {
        sweep.get().sweep(isPastDue(timerInfo));
    }

    @FunctionName("refreshWorker")
    public void refreshWorker(
            @QueueTrigger(name = "message", queueName = REFRESH_QUEUE, connection = "AzureWebJobsStorage") String message,
            @BindingName("DequeueCount") long dequeueCount,
            ExecutionContext context) {
        worker.get().handle(RefreshMessage.parse(message), dequeueCount, MAX_DEQUEUE_COUNT);
    }

    @FunctionName("notificationWorker")
    public void notificationWorker(
            @QueueTrigger(name = "message", queueName = NOTIFICATION_QUEUE, connection = "AzureWebJobsStorage") String message,
            ExecutionContext context) {
        notifications.get().handle(message);
    }

    /** The timer payload is JSON with "IsPastDue" (capital I). */
    static boolean isPastDue(String timerInfo) {
        try {
            return timerInfo != null && Json.MAPPER.readTree(timerInfo).path("IsPastDue").asBoolean(false);
        } catch (Exception e) {
            return false;
        }
    }
}
