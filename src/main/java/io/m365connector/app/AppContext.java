package io.m365connector.app;

import com.azure.core.credential.TokenCredential;
import com.azure.data.tables.TableServiceClient;
import io.m365connector.actions.EventService;
import io.m365connector.actions.MailService;
import io.m365connector.actions.graph.GraphGateway;
import io.m365connector.actions.graph.GraphRetry;
import io.m365connector.actions.idempotency.Idempotency;
import io.m365connector.actions.idempotency.IdempotencyStore;
import io.m365connector.actions.idempotency.TableIdempotencyStore;
import io.m365connector.connect.ConnectService;
import io.m365connector.connect.LoginSessionStore;
import io.m365connector.connect.SignInFlow;
import io.m365connector.connect.TableLoginSessionStore;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.connection.StatusListener;
import io.m365connector.connection.TableConnectionStore;
import io.m365connector.credentials.AppCredentialListener;
import io.m365connector.credentials.ManagedIdentityTokens;
import io.m365connector.crypto.KeyProvider;
import io.m365connector.crypto.TokenCipher;
import io.m365connector.crypto.TokenSealer;
import io.m365connector.functions.ActionFunctions;
import io.m365connector.functions.AuthFunctions;
import io.m365connector.functions.ConnectionFunctions;
import io.m365connector.functions.HealthFunction;
import io.m365connector.functions.MaintenanceFunctions;
import io.m365connector.functions.SchedulingFunctions;
import io.m365connector.health.AppCredentialMonitor;
import io.m365connector.health.HealthService;
import io.m365connector.maintenance.Housekeeping;
import io.m365connector.maintenance.NotificationWorker;
import io.m365connector.maintenance.QueuedStatusNotifications;
import io.m365connector.maintenance.RefreshSweep;
import io.m365connector.maintenance.RefreshWorker;
import io.m365connector.maintenance.StorageWorkQueue;
import io.m365connector.maintenance.WorkQueue;
import io.m365connector.platform.BadRequestLog;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Lazy;
import io.m365connector.platform.LibraryLogging;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Settings;
import io.m365connector.platform.Sleeper;
import io.m365connector.platform.http.HostRouting;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.platform.webhooks.WebhookSender;
import io.m365connector.platform.webhooks.WebhookSigner;
import io.m365connector.scheduling.SchedulingServices;
import io.m365connector.tokens.MsalClients;
import io.m365connector.tokens.RefreshOutcomes;
import io.m365connector.tokens.RefreshPolicy;
import io.m365connector.tokens.TokenBroker;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The composition root: builds every client and service once per instance, lazily, and hands them
 * to function classes through their constructors. The Functions worker asks for a function instance
 * per invocation ({@link AppFunctionInstanceInjector}); instances are cheap, the clients they use
 * live here. Tests and the local demo build their own context with a route table and clock.
 */
public final class AppContext {
    /** How long a Key Vault key version is used before the current version is read again. */
    static final Duration CURRENT_KEY_TTL = Duration.ofMinutes(10);
    /** A cached access token is used until this long before it expires. */
    static final Duration TOKEN_CLOCK_SKEW = Duration.ofMinutes(5);
    /** The most connections one sweep enqueues; the next sweep continues with the rest. */
    static final int SWEEP_LIMIT = 20_000;
    /** How often a warm instance re-reads a connection's status (so a disconnect elsewhere takes effect). */
    static final Duration STATUS_RECHECK = Duration.ofSeconds(30);
    /** How long a request with a key waits for another still running with the same key. */
    static final Duration IDEMPOTENCY_WAIT = Duration.ofSeconds(20);

    private static final Lazy<AppContext> SHARED = Lazy.of(() ->
            new AppContext(Settings::fromEnvironment, HostRouting.DIRECT, Clock.systemUTC(), null, Tables.defaults()));

    private final Clock clock;
    private final Lazy<Settings> settings;
    private final Lazy<OutboundHttp> http;
    private final Lazy<TokenCredential> hostingCredential;
    private final Lazy<TableServiceClient> tables;
    private final Lazy<KeyProvider> keys;
    private final Lazy<TokenSealer> sealer;
    private final Lazy<ConnectionStore> connections;
    private final Lazy<MsalClients> msal;
    private final Lazy<LoginSessionStore> loginSessions;
    private final Lazy<SignInFlow> signInFlow;
    private final Lazy<ConnectService> connectService;
    private final Lazy<TokenBroker> broker;
    private final Lazy<RefreshOutcomes> refreshOutcomes;
    private final Lazy<GraphGateway> graph;
    private final Lazy<IdempotencyStore> idempotencyStore;
    private final Lazy<Idempotency> idempotency;
    private final Lazy<MailService> mailService;
    private final Lazy<EventService> eventService;
    private final Lazy<SchedulingServices> scheduling;
    private final Lazy<StatusListener> statusListener;
    private final Lazy<RefreshSweep> sweep;
    private final Lazy<RefreshWorker> refreshWorker;
    private final Lazy<NotificationWorker> notificationWorker;
    private final Lazy<Housekeeping> housekeeping;
    private final CredentialParts credentials;
    private final Map<Class<?>, Supplier<?>> functions = new LinkedHashMap<>();
    private final String queuePrefix;
    private final Sleeper sleeper;
    private final BadRequestLog badRequests;

    /**
     * @param settings          read on first use; invalid settings fail every call that needs them with a message naming the setting
     * @param routing           {@link HostRouting#DIRECT} in production
     * @param credentialOverride null in production (managed identity / developer credentials)
     * @param tableNames         {@link Tables#defaults()} in production
     */
    public AppContext(Supplier<Settings> settings, HostRouting routing, Clock clock, TokenCredential credentialOverride,
                      Tables tableNames) {
        this(settings, routing, clock, credentialOverride, tableNames, Sleeper.REAL);
    }

    /** @param sleeper how every wait is made ({@link Sleeper#REAL} in production; tests shorten them) */
    public AppContext(Supplier<Settings> settings, HostRouting routing, Clock clock, TokenCredential credentialOverride,
                      Tables tableNames, Sleeper sleeper) {
        this(settings, routing, clock, credentialOverride, tableNames, sleeper, null);
    }

    /** @param identityTokens the managed identity's tokens for federated app credentials; null in production (azure-identity) */
    public AppContext(Supplier<Settings> settings, HostRouting routing, Clock clock, TokenCredential credentialOverride,
                      Tables tableNames, Sleeper sleeper, ManagedIdentityTokens identityTokens) {
        this.sleeper = Objects.requireNonNull(sleeper, "'sleeper' cannot be null.");
        LibraryLogging.install();
        this.badRequests = new BadRequestLog(clock);
        this.queuePrefix = tableNames.queuePrefix();
        Objects.requireNonNull(settings, "'settings' cannot be null.");
        Objects.requireNonNull(routing, "'routing' cannot be null.");
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
        this.settings = Lazy.of(settings);
        this.http = Lazy.of(() -> new OutboundHttp(this.settings.get().http(), routing));
        this.hostingCredential = Lazy.of(() -> credentialOverride != null ? credentialOverride
                : AzureClients.hostingCredential(this.settings.get(), http.get().azureHttpClient()));
        this.tables = Lazy.of(() -> AzureClients.tableService(this.settings.get().storage(),
                this.settings.get().hostingCloud(), hostingCredential.get(), http.get().azureHttpClient()));
        this.keys = Lazy.of(this::buildKeyProvider);
        this.sealer = Lazy.of(() -> new TokenSealer(keys.get(), new TokenCipher()));
        this.connections = Lazy.of(() -> new TableConnectionStore(tables.get().getTableClient(tableNames.connections()),
                tables.get().getTableClient(tableNames.refreshDue()), tables.get().getTableClient(tableNames.connectionOwners())));
        this.credentials = credentialParts(tableNames, identityTokens);
        this.msal = Lazy.of(() -> new MsalClients(this.settings.get(), http.get().msalHttpClient(), credentials.clientCredentials.get(),
                cloud -> credentials.monitor.get().current(cloud)));
        this.loginSessions = Lazy.of(() -> new TableLoginSessionStore(tables.get().getTableClient(tableNames.loginSessions())));
        this.statusListener = Lazy.of(() -> this.settings.get().webhook().isPresent()
                ? new QueuedStatusNotifications(queue(MaintenanceFunctions.NOTIFICATION_QUEUE), clock) : StatusListener.NONE);
        this.refreshOutcomes = Lazy.of(() -> new RefreshOutcomes(connections.get(),
                RefreshPolicy.keepAliveEvery(this.settings.get().refreshKeepAlive()), clock, statusListener.get()));
        this.signInFlow = Lazy.of(() -> new SignInFlow(this.settings.get(), msal.get(), loginSessions.get(), sealer.get(),
                refreshOutcomes.get(), clock));
        this.broker = Lazy.of(() -> new TokenBroker(connections.get(), sealer.get(), msal.get(), refreshOutcomes.get(), clock,
                new TokenBroker.Timing(TOKEN_CLOCK_SKEW, STATUS_RECHECK, sleeper)));
        this.connectService = Lazy.of(() -> new ConnectService(this.settings.get(), msal.get(), loginSessions.get(),
                connections.get(), clock, id -> broker.get().forget(id), statusListener.get()));
        this.sweep = Lazy.of(() -> new RefreshSweep(connections.get(), queue(MaintenanceFunctions.REFRESH_QUEUE), clock, SWEEP_LIMIT));
        this.refreshWorker = Lazy.of(() -> new RefreshWorker(connections.get(), broker.get(), refreshOutcomes.get(), clock,
                cloud -> credentials.monitor.get().current(cloud)));
        this.idempotencyStore = Lazy.of(() -> new TableIdempotencyStore(tables.get().getTableClient(tableNames.idempotency())));
        this.housekeeping = Lazy.of(() -> new Housekeeping(loginSessions.get(), idempotencyStore.get(), clock));
        this.notificationWorker = Lazy.of(() -> new NotificationWorker(webhookSender(),
                queue(MaintenanceFunctions.NOTIFICATION_QUEUE), queue(MaintenanceFunctions.NOTIFICATION_QUEUE + "-poison")));
        this.graph = Lazy.of(() -> new GraphGateway(http.get().okHttp()));
        this.idempotency = Lazy.of(() -> new Idempotency(idempotencyStore.get(), clock, sleeper, idempotencyLease(), IDEMPOTENCY_WAIT));
        this.mailService = Lazy.of(() -> new MailService(broker.get(), graph.get(), idempotency.get(), GraphRetry.defaults(sleeper, clock), sleeper));
        this.eventService = Lazy.of(() -> new EventService(broker.get(), graph.get(), idempotency.get(), GraphRetry.defaults(sleeper, clock)));
        this.scheduling = Lazy.of(() -> new SchedulingServices(graph.get(), broker.get(), GraphRetry.defaults(sleeper, clock),
                id -> connections.get().find(id).map(Connection::cloud)));
        registerFunctions();
    }

    private CredentialParts credentialParts(Tables tableNames, ManagedIdentityTokens identityTokens) {
        // The same webhook queue as connections' status changes, when there is a webhook.
        Lazy<AppCredentialListener> listener = Lazy.of(() -> statusListener.get() instanceof QueuedStatusNotifications queued
                ? queued : AppCredentialListener.NONE);
        return new CredentialParts(new CredentialParts.Sources(settings, () -> http.get().azureHttpClient(), hostingCredential, tables,
                tableNames.appCredentials(), listener, (cloud, tenant) -> msal().requestAppOnlyToken(cloud, tenant), clock), identityTokens);
    }

    /** The context of this process, from the environment. */
    public static AppContext shared() {
        return SHARED.get();
    }

    private void registerFunctions() {
        functions.put(HealthFunction.class, () -> new HealthFunction(this::healthService));
        functions.put(ConnectionFunctions.class, () -> new ConnectionFunctions(connectService));
        functions.put(AuthFunctions.class, () -> new AuthFunctions(signInFlow, badRequests));
        functions.put(ActionFunctions.class, () -> new ActionFunctions(mailService, eventService));
        functions.put(SchedulingFunctions.class, () -> new SchedulingFunctions(scheduling));
        functions.put(MaintenanceFunctions.class, () -> new MaintenanceFunctions(sweep, refreshWorker, notificationWorker, housekeeping,
                credentials.monitor));
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

    public Settings settings() {
        return settings.get();
    }

    public Clock clock() {
        return clock;
    }

    public OutboundHttp http() {
        return http.get();
    }

    public TableServiceClient tables() {
        return tables.get();
    }

    public TokenSealer sealer() {
        return sealer.get();
    }

    public ConnectionStore connections() {
        return connections.get();
    }

    public MsalClients msal() {
        return msal.get();
    }

    public TokenBroker broker() {
        return broker.get();
    }

    public RefreshSweep refreshSweep() {
        return sweep.get();
    }

    public RefreshWorker refreshWorker() {
        return refreshWorker.get();
    }

    public Housekeeping housekeeping() {
        return housekeeping.get();
    }

    public NotificationWorker notificationWorker() {
        return notificationWorker.get();
    }

    public AppCredentialMonitor appCredentialMonitor() {
        return credentials.monitor.get();
    }

    private WebhookSender webhookSender() {
        Settings.Webhook webhook = settings.get().webhook().orElseThrow(() -> new ConnectorException(ProblemCode.CONFIGURATION_ERROR,
                "A status notification is queued but NOTIFY_WEBHOOK_URL is not set."));
        return new WebhookSender(webhook.url(), new WebhookSigner(webhook.secret()), http.get().okHttp(), clock);
    }

    private WorkQueue queue(String name) {
        return new StorageWorkQueue(AzureClients.queue(settings.get().storage(), settings.get().hostingCloud(),
                hostingCredential.get(), http.get().azureHttpClient(), queuePrefix + name));
    }

    private Duration idempotencyLease() { // from the call timeout: a lease never runs out under a working request
        return Idempotency.leaseFor(settings.get().http().timeout(), GraphRetry.BUDGET);
    }

    HealthService healthService() {
        Map<String, Runnable> checks = new LinkedHashMap<>();
        checks.put("settings", HealthService.of(this::settings));
        checks.put("storage", () -> connections().find(Connection.newId()));
        checks.put("tokenKey", HealthService.of(() -> keys.get().current()));
        return new HealthService(checks, () -> credentials.monitor.get().report());
    }

    private KeyProvider buildKeyProvider() {
        return AzureClients.keyProvider(settings.get().keySource(), hostingCredential, http.get().azureHttpClient(), clock, CURRENT_KEY_TTL);
    }
}
