package io.m365connector.app;

import com.azure.data.tables.TableServiceClient;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.credentials.AppCredentialListener;
import io.m365connector.crypto.TokenSealer;
import io.m365connector.functions.ActionFunctions;
import io.m365connector.functions.AuthFunctions;
import io.m365connector.functions.ConnectionFunctions;
import io.m365connector.functions.GraphNotificationFunctions;
import io.m365connector.functions.HealthFunction;
import io.m365connector.functions.MaintenanceFunctions;
import io.m365connector.functions.OperatorFunctions;
import io.m365connector.functions.ReadingFunctions;
import io.m365connector.functions.SchedulingFunctions;
import io.m365connector.functions.SyncFunctions;
import io.m365connector.health.AppCredentialMonitor;
import io.m365connector.health.HealthService;
import io.m365connector.maintenance.Housekeeping;
import io.m365connector.maintenance.NotificationWorker;
import io.m365connector.maintenance.QueuedStatusNotifications;
import io.m365connector.maintenance.RefreshSweep;
import io.m365connector.maintenance.RefreshWorker;
import io.m365connector.platform.BadRequestLog;
import io.m365connector.platform.Lazy;
import io.m365connector.platform.LibraryLogging;
import io.m365connector.platform.Settings;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.sync.SyncEnrollment;
import io.m365connector.sync.SyncHealthReport;
import io.m365connector.tokens.MsalClients;
import io.m365connector.tokens.TokenBroker;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * The composition root: builds every client and service once per instance, lazily, and hands them
 * to function classes through their constructors. The Functions worker asks for a function instance
 * per invocation ({@link AppFunctionInstanceInjector}); instances are cheap, the clients they use
 * live in the parts below. Tests and the local demo build their own context ({@link Wiring}) with
 * a route table, clock, tables and sleeper of their own.
 */
public final class AppContext {
    private static final Lazy<AppContext> SHARED = Lazy.of(() -> new AppContext(Wiring.production()));

    private final Clock clock;
    // package access: the test side's ContextParts reads them; production code gets services through function constructors
    final PlatformParts platform;
    final CredentialParts credentials;
    final TokenParts tokens;
    final FeatureParts features;
    final MaintenanceParts maintenance;
    private final SyncParts sync;
    private final Map<Class<?>, Supplier<?>> functions = new LinkedHashMap<>();

    /** @param wiring {@link Wiring#production()} in Azure; tests and the demo change single inputs */
    public AppContext(Wiring wiring) {
        LibraryLogging.install();
        this.clock = wiring.clock;
        this.platform = new PlatformParts(wiring);
        // The same webhook queue as connections' status changes, when there is a webhook.
        Lazy<AppCredentialListener> listener = Lazy.of(() -> webhooks().<AppCredentialListener>map(w -> w).orElse(AppCredentialListener.NONE));
        this.credentials = new CredentialParts(new CredentialParts.Sources(platform.settings, () -> platform.http.get().azureHttpClient(),
                platform.hostingCredential, platform.tables, wiring.tables.appCredentials(), listener,
                (cloud, tenant) -> msal().requestAppOnlyToken(cloud, tenant), clock, wiring.storageSleeper()), wiring.identityTokens);
        this.tokens = new TokenParts(wiring, platform, credentials, new TokenParts.SyncHooks(
                () -> new SyncEnrollment(() -> sync().timer.get(), () -> sync().service.get()), id -> sync().service.get().unsubscribe(id),
                () -> new SyncHealthReport(sync().stores.get())));
        this.features = new FeatureParts(wiring, platform, tokens);
        this.sync = new SyncParts(wiring, platform, tokens, features);
        this.maintenance = new MaintenanceParts(wiring, platform, tokens, features, credentials, sync);
        BadRequestLog badRequests = new BadRequestLog(clock);
        functions.put(HealthFunction.class, () -> new HealthFunction(this::healthService));
        functions.put(ConnectionFunctions.class, () -> new ConnectionFunctions(tokens.connectService));
        functions.put(AuthFunctions.class, () -> new AuthFunctions(tokens.signInFlow, badRequests));
        functions.put(ActionFunctions.class, () -> new ActionFunctions(features.mail, features.events));
        functions.put(SchedulingFunctions.class, () -> new SchedulingFunctions(features.scheduling));
        functions.put(ReadingFunctions.class, () -> new ReadingFunctions(features.mailReader, features.calendarReader));
        functions.put(SyncFunctions.class, () -> new SyncFunctions(sync.service, sync.timer, sync.sharedMailboxes));
        functions.put(GraphNotificationFunctions.class, () -> new GraphNotificationFunctions(sync.receiver));
        functions.put(MaintenanceFunctions.class, () -> new MaintenanceFunctions(maintenance.sweep, maintenance.refreshWorker,
                maintenance.notificationWorker, maintenance.housekeeping, credentials.monitor));
        functions.put(OperatorFunctions.class, () -> new OperatorFunctions(maintenance.webhookReplay));
    }

    /** The context of this process, from the environment. */
    public static AppContext shared() {
        return SHARED.get();
    }

    /** The function classes this context can build (every class with @FunctionName methods). */
    public List<Class<?>> functionClasses() {
        return List.copyOf(functions.keySet());
    }

    /** A new function class instance wired to this context's services. */
    public <T> T newFunction(Class<T> type) {
        Supplier<?> factory = functions.get(type);
        if (factory == null) {
            throw new IllegalArgumentException("No function class " + type.getName() + " is registered in AppContext.");
        }
        return type.cast(factory.get());
    }

    private MsalClients msal() {
        return tokens.msal.get();
    }

    private Optional<QueuedStatusNotifications> webhooks() {
        return tokens.webhooks.get();
    }

    private SyncParts sync() {
        return sync;
    }

    HealthService healthService() {
        Map<String, Runnable> checks = new LinkedHashMap<>();
        checks.put("settings", HealthService.of(platform.settings::get));
        checks.put("storage", () -> tokens.connections.get().find(Connection.newId()));
        checks.put("tokenKey", HealthService.of(() -> platform.keys.get().current()));
        return new HealthService(checks, () -> credentials.monitor.get().report(), new HealthService.GivenUpWebhooks(
                MaintenanceFunctions.NOTIFICATION_POISON_QUEUE, () -> webhooks().isEmpty() ? OptionalLong.empty()
                        : platform.queue(MaintenanceFunctions.NOTIFICATION_POISON_QUEUE).approximateCount()));
    }
}
