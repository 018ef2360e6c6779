package io.m365connector.app;

import com.azure.data.tables.TableServiceClient;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.crypto.TokenSealer;
import io.m365connector.health.AppCredentialMonitor;
import io.m365connector.maintenance.Housekeeping;
import io.m365connector.scheduling.SchedulingServices;
import io.m365connector.maintenance.NotificationWorker;
import io.m365connector.maintenance.RefreshSweep;
import io.m365connector.maintenance.RefreshWorker;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.tokens.TokenBroker;

/**
 * What tests, the demo and benchmarks reach inside a context they built: the parts a function class would
 * get through its constructor, read from the context's part tables (package access). The context itself has
 * no getters for them: production code gets its services through function constructors only.
 */
public final class ContextParts {
    private final AppContext context;

    private ContextParts(AppContext context) {
        this.context = context;
    }

    public static ContextParts of(AppContext context) {
        return new ContextParts(context);
    }

    public OutboundHttp http() {
        return context.platform.http.get();
    }

    public TableServiceClient tables() {
        return context.platform.tables.get();
    }

    public TokenSealer sealer() {
        return context.platform.sealer.get();
    }

    public ConnectionStore connections() {
        return context.tokens.connections.get();
    }

    public TokenBroker broker() {
        return context.tokens.broker.get();
    }

    public RefreshSweep refreshSweep() {
        return context.maintenance.sweep.get();
    }

    public RefreshWorker refreshWorker() {
        return context.maintenance.refreshWorker.get();
    }

    public SchedulingServices scheduling() {
        return context.features.scheduling.get();
    }

    public Housekeeping housekeeping() {
        return context.maintenance.housekeeping.get();
    }

    public NotificationWorker notificationWorker() {
        return context.maintenance.notificationWorker.get();
    }

    public AppCredentialMonitor appCredentialMonitor() {
        return context.credentials.monitor.get();
    }
}
