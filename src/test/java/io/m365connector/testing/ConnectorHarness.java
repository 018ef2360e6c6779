package io.m365connector.testing;

import com.azure.core.credential.TokenCredential;
import com.azure.storage.queue.QueueClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.aad.msal4j.ManagedIdentityTestEnvironment;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import io.m365connector.app.AppContext;
import io.m365connector.app.ContextParts;
import io.m365connector.app.Wiring;
import io.m365connector.app.AzureClients;
import io.m365connector.app.Tables;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.functions.ActionFunctions;
import io.m365connector.functions.AuthFunctions;
import io.m365connector.functions.ConnectionFunctions;
import io.m365connector.functions.GraphNotificationFunctions;
import io.m365connector.functions.ReadingFunctions;
import io.m365connector.functions.SchedulingFunctions;
import io.m365connector.functions.SyncFunctions;
import io.m365connector.platform.Json;
import io.m365connector.platform.Settings;
import io.m365connector.platform.SettingsReader;
import io.m365connector.platform.Sleeper;
import io.m365connector.platform.http.HostRouting;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.testing.entra.FakeEntraId;
import io.m365connector.testing.entra.FakeUser;
import io.m365connector.testing.graph.FakeGraph;
import io.m365connector.testing.graph.NotificationEndpoint;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The connector as a web app and its users meet it, wired to real parts: the function classes from
 * an {@link AppContext} over Azurite (tables of its own), the fake Entra ID at the four clouds' real
 * authority hosts, app registrations in every cloud, and browsers that drive the sign-in.
 */
public final class ConnectorHarness implements AutoCloseable {
    public static final String FUNCTION_HOST = "func-m365.example.net";
    public static final String APP_HOST = "app.example.com";
    public static final String RETURN_URL = "https://app.example.com/connected";
    private static final Pattern LOGIN_ROUTE = Pattern.compile("/api/auth/login/([^/]+)");
    private static final Pattern ADMIN_ROUTE = Pattern.compile("/api/auth/adminconsent/([^/]+)");

    public final MutableClock clock = new MutableClock(Instant.now());
    public final FakeEntraId entra;
    public final FakeGraph graph;
    public final LocalCloudRouting routing;
    public final Map<String, String> env = TestSettings.base(Azurite.shared().connectionString());
    public final Map<NationalCloud, String> clientIds = new EnumMap<>(NationalCloud.class);
    public final Tables tables = Tables.prefixed("t" + UUID.randomUUID().toString().replace("-", "").substring(0, 8));
    public final RecordingSleeper sleeper = new RecordingSleeper();
    /**
     * The storage clients' retry waits: real (an Azurite hiccup, a connection it closed as the client reused it, gets
     * time to pass, and the waits tests count stay the connector's own), but a tenth of the backoff and at least 30 ms:
     * the scenarios that fail storage on purpose (the crash and outage tests, about a hundred failed calls of 3 retries
     * each) waited out 100-400 ms per retry, 47 s of the suite. A stall, as opposed to an error, is an answer that takes
     * long, which no retry wait changes (the call timeout is 30 s).
     */
    public static final Sleeper STORAGE_SLEEPER = duration -> Sleeper.REAL.sleep(max(duration.dividedBy(10), Duration.ofMillis(30)));

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
    /** The queues of a harness made {@link #withClockedQueues}, by full name (prefix included). */
    private final Map<String, ClockedWorkQueue> clockedQueues = new ConcurrentHashMap<>();
    private final boolean clockedQueueWiring;
    /** The app registration's home tenant in every cloud (credential health checks), for harnesses built with credential kinds. */
    public static final String HOME_TENANT = "7a1b2c3d-0000-4000-8000-00000000a11c";
    /** The function app's user-assigned managed identity (client id, principal id), trusted as federated credential. */
    public static final String IDENTITY_CLIENT_ID = "1d1d1d1d-2222-4333-8444-555555555555";
    public static final String IDENTITY_PRINCIPAL_ID = "9e9e9e9e-6666-4777-8888-999999999999";

    /** How an app registration proves itself. */
    public enum CredentialKind { SECRET, CERTIFICATE, MANAGED_IDENTITY }

    public final Map<NationalCloud, ClientCertificates.ClientCertificate> certificates = new EnumMap<>(NationalCloud.class);
    /** The platform's identity endpoint, when a cloud uses the managed identity; else null. */
    public final FakeManagedIdentityEndpoint identity;
    public final AppContext context;
    public final ConnectionFunctions api;
    public final AuthFunctions auth;
    public final ActionFunctions actions;
    public final SchedulingFunctions scheduling;
    public final ReadingFunctions reading;
    public final SyncFunctions sync;
    public final GraphNotificationFunctions graphNotifications;
    private final OutboundHttp browserHttp;

    public ConnectorHarness() {
        this(env -> { }, null);
    }

    /**
     * @param customize   adjusts the settings before the context is built (Key Vault, webhook, ...)
     * @param credential  the hosting credential (a fake Key Vault's), or null
     */
    public ConnectorHarness(Consumer<Map<String, String>> customize, TokenCredential credential) {
        this(HostingCloud.GLOBAL, Map.of(), customize, credential);
    }

    /**
     * A harness hosted in {@code hosting} whose clouds in {@code kinds} use that credential kind (the
     * others a secret) and have their home tenant set for credential checks. A managed identity cloud
     * gets its token from a fake App Service identity endpoint through the production token source
     * (azure-identity), which MSAL4J's environment hook points at the fake.
     */
    public ConnectorHarness(HostingCloud hosting, Map<NationalCloud, CredentialKind> kinds, Consumer<Map<String, String>> customize,
                            TokenCredential credential) {
        this(hosting, kinds, customize, credential, false, null);
    }

    /**
     * A harness on virtual time: its queues are {@link ClockedWorkQueue}s on its clock ({@link #clockedQueue(String)}):
     * what the functions enqueue is taken by the test, and visibility delays pass when the clock moves; and the fake
     * Entra ID and Graph run on the same clock, so a test can let hours pass (notification retries, subscription
     * expiry, token lifetimes) without any of them disagreeing about the time.
     */
    public static ConnectorHarness withClockedQueues(Consumer<Map<String, String>> customize) {
        return new ConnectorHarness(HostingCloud.GLOBAL, Map.of(), customize, null, true, null);
    }

    /**
     * {@link #withClockedQueues}, with the base of the notification URLs the app gives Graph set apart from PUBLIC_BASE_URL
     * (the sign-in's): an http one stands for an app Graph cannot reach, as a local run without a tunnel.
     */
    public static ConnectorHarness withClockedQueues(Consumer<Map<String, String>> customize, URI notificationBaseUrl) {
        return new ConnectorHarness(HostingCloud.GLOBAL, Map.of(), customize, null, true, notificationBaseUrl);
    }

    private ConnectorHarness(HostingCloud hosting, Map<NationalCloud, CredentialKind> kinds, Consumer<Map<String, String>> customize,
                             TokenCredential credential, boolean clocked, URI notificationBaseUrl) {
        this.entra = clocked ? new FakeEntraId(clock) : new FakeEntraId();
        this.graph = clocked ? new FakeGraph(entra, clock) : new FakeGraph(entra);
        this.routing = graph.routeInto(entra.routeInto(new LocalCloudRouting()));
        this.browserHttp = new OutboundHttp(new Settings.HttpSettings(Duration.ofSeconds(10), Optional.empty()), routing);
        env.put("M365_CLOUDS", "global,usgov,usgovdod,china");
        env.put("PUBLIC_BASE_URL", "https://" + FUNCTION_HOST);
        env.put("ALLOWED_RETURN_URLS", RETURN_URL + ",https://app.example.com/settings?tab=m365");
        int i = 1;
        for (NationalCloud cloud : NationalCloud.values()) {
            String clientId = String.format("%08d-2222-3333-4444-555555555555", i++);
            String secret = SecretsLedger.remember("secret-" + cloud.id() + "-" + UUID.randomUUID());
            String prefix = "M365_" + cloud.id().toUpperCase(Locale.ROOT);
            env.put(prefix + "_CLIENT_ID", clientId);
            env.put(prefix + "_CLIENT_SECRET", secret);
            clientIds.put(cloud, clientId);
            entra.registerApp(clientId, secret, "https://" + FUNCTION_HOST + "/api/auth/callback");
        }
        identity = kinds.containsValue(CredentialKind.MANAGED_IDENTITY)
                ? new FakeManagedIdentityEndpoint(entra, hosting, HOME_TENANT, Clock.systemUTC()).assign(IDENTITY_CLIENT_ID, IDENTITY_PRINCIPAL_ID)
                : null;
        if (!kinds.isEmpty()) {
            env.put("HOSTING_CLOUD", hosting.id());
        }
        kinds.forEach(this::useCredential);
        if (identity != null) {
            ManagedIdentityTestEnvironment.use(identity.environment());
        }
        customize.accept(env);
        Wiring wiring = Wiring.production().settings(() -> SettingsReader.read(env)).routing(routing).clock(clock)
                .hostingCredential(credential).tables(tables).sleeper(sleeper)
                .storageSleeper(STORAGE_SLEEPER).notificationBaseUrl(notificationBaseUrl);
        if (clocked) {
            wiring.queues(name -> clockedQueues.computeIfAbsent(name, n -> new ClockedWorkQueue(clock)));
        }
        this.clockedQueueWiring = clocked;
        context = new AppContext(wiring);
        api = context.newFunction(ConnectionFunctions.class);
        auth = context.newFunction(AuthFunctions.class);
        actions = context.newFunction(ActionFunctions.class);
        scheduling = context.newFunction(SchedulingFunctions.class);
        reading = context.newFunction(ReadingFunctions.class);
        sync = context.newFunction(SyncFunctions.class);
        graphNotifications = context.newFunction(GraphNotificationFunctions.class);
    }

    private void useCredential(NationalCloud cloud, CredentialKind kind) {
        String prefix = "M365_" + cloud.id().toUpperCase(Locale.ROOT);
        String clientId = clientIds.get(cloud);
        env.put(prefix + "_HOME_TENANT", HOME_TENANT);
        entra.setHomeTenant(clientId, HOME_TENANT);
        if (kind == CredentialKind.SECRET) {
            return;
        }
        env.remove(prefix + "_CLIENT_SECRET");
        if (kind == CredentialKind.CERTIFICATE) {
            ClientCertificates.ClientCertificate certificate = ClientCertificates.create("m365-connector-" + cloud.id(),
                    Instant.now().plus(Duration.ofDays(365)));
            certificates.put(cloud, certificate);
            env.put(prefix + "_CLIENT_CERTIFICATE", certificate.pfxBase64());
            env.put(prefix + "_CLIENT_CERTIFICATE_PASSWORD", certificate.password());
            entra.registerCertificate(clientId, certificate.certificate());
        } else {
            env.put(prefix + "_MANAGED_IDENTITY_CLIENT_ID", IDENTITY_CLIENT_ID);
            entra.registerFederatedCredential(clientId, identity.issuer(), IDENTITY_PRINCIPAL_ID, cloud.tokenExchangeAudience());
        }
    }

    /**
     * Another instance of the function app over the same storage, settings, routes and clock: its
     * own memory caches (as a freshly started or scaled-out instance has).
     */
    public Instance newInstance() {
        return newInstance(routing, sleeper);
    }

    /**
     * Another instance over the same storage, routes and clock, configured differently: {@code adjust}
     * changes a copy of this harness's settings (a rotated secret, a newly set home tenant).
     */
    public Instance newInstance(Consumer<Map<String, String>> adjust) {
        Map<String, String> other = new java.util.HashMap<>(env);
        adjust.accept(other);
        AppContext context = new AppContext(Wiring.production().settings(() -> SettingsReader.read(other)).routing(routing).clock(clock).tables(tables).sleeper(sleeper)
                .storageSleeper(STORAGE_SLEEPER));
        return new Instance(context, context.newFunction(ActionFunctions.class));
    }

    /**
     * Another instance whose outbound requests go through {@code instanceRouting} (a {@link KillSwitch}
     * around {@link #routing}, say) and that waits with {@code instanceSleeper}.
     */
    public Instance newInstance(HostRouting instanceRouting, Sleeper instanceSleeper) {
        Wiring wiring = Wiring.production().settings(() -> SettingsReader.read(env)).routing(instanceRouting).clock(clock).tables(tables)
                .sleeper(instanceSleeper).storageSleeper(STORAGE_SLEEPER);
        if (clockedQueueWiring) {
            wiring.queues(name -> clockedQueues.computeIfAbsent(name, n -> new ClockedWorkQueue(clock)));
        }
        AppContext other = new AppContext(wiring);
        return new Instance(other, other.newFunction(ActionFunctions.class));
    }

    /** A second function app instance: its context and its action functions. */
    public record Instance(AppContext context, ActionFunctions actions) {
        public FakeHttpResponse sendMail(String connectionId, String idempotencyKey, String json) {
            return ConnectorHarness.sendMail(actions, connectionId, idempotencyKey, json);
        }

        public FakeHttpResponse createEvent(String connectionId, String idempotencyKey, String json) {
            return ConnectorHarness.createEvent(actions, connectionId, idempotencyKey, json);
        }

        public FakeHttpResponse updateEvent(String connectionId, String idempotencyKey, String eventId, String json) {
            return ConnectorHarness.updateEvent(actions, connectionId, idempotencyKey, eventId, null, json);
        }

        public FakeHttpResponse cancelEvent(String connectionId, String idempotencyKey, String eventId, String query) {
            return ConnectorHarness.cancelEvent(actions, connectionId, idempotencyKey, eventId, query);
        }
    }

    public FakeHttpResponse sendMail(String connectionId, String idempotencyKey, String json) {
        return sendMail(actions, connectionId, idempotencyKey, json);
    }

    public FakeHttpResponse createEvent(String connectionId, String idempotencyKey, String json) {
        return createEvent(actions, connectionId, idempotencyKey, json);
    }

    private static FakeHttpResponse sendMail(ActionFunctions actions, String connectionId, String idempotencyKey,
                                             String json) {
        FakeHttpRequest request = FakeHttpRequest.post("https://" + FUNCTION_HOST + "/api/connections/" + connectionId + "/mail", json)
                .header("Content-Type", "application/json");
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return (FakeHttpResponse) actions.sendMail(request, connectionId, new FakeExecutionContext("sendMail"));
    }

    private static FakeHttpResponse createEvent(ActionFunctions actions, String connectionId,
                                                String idempotencyKey, String json) {
        FakeHttpRequest request = FakeHttpRequest.post("https://" + FUNCTION_HOST + "/api/connections/" + connectionId + "/events", json)
                .header("Content-Type", "application/json");
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return (FakeHttpResponse) actions.createEvent(request, connectionId, new FakeExecutionContext("createEvent"));
    }

    public FakeHttpResponse updateEvent(String connectionId, String eventId, String query, String json) {
        return updateEvent(actions, connectionId, null, eventId, query, json);
    }

    public FakeHttpResponse cancelEvent(String connectionId, String eventId, String query) {
        return cancelEvent(actions, connectionId, null, eventId, query);
    }

    private static FakeHttpResponse updateEvent(ActionFunctions actions, String connectionId, String idempotencyKey, String eventId,
                                                String query, String json) {
        FakeHttpRequest request = FakeHttpRequest.of(HttpMethod.PATCH, "https://" + FUNCTION_HOST + "/api/connections/" + connectionId
                + "/events/" + eventId + (query == null ? "" : "?" + query)).body(json).header("Content-Type", "application/json");
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return (FakeHttpResponse) actions.updateEvent(request, connectionId, eventId, new FakeExecutionContext("updateEvent"));
    }

    private static FakeHttpResponse cancelEvent(ActionFunctions actions, String connectionId, String idempotencyKey, String eventId,
                                                String query) {
        FakeHttpRequest request = FakeHttpRequest.of(HttpMethod.DELETE, "https://" + FUNCTION_HOST + "/api/connections/" + connectionId
                + "/events/" + eventId + (query == null ? "" : "?" + query));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return (FakeHttpResponse) actions.cancelEvent(request, connectionId, eventId, new FakeExecutionContext("cancelEvent"));
    }

    public FakeHttpResponse getEvent(String connectionId, String eventId, String query) {
        FakeHttpRequest request = FakeHttpRequest.get("https://" + FUNCTION_HOST + "/api/connections/" + connectionId + "/events/" + eventId
                + (query == null ? "" : "?" + query));
        return (FakeHttpResponse) actions.getEvent(request, connectionId, eventId, new FakeExecutionContext("getEvent"));
    }

    /** GET /api/connections/{id}/rooms with a query string (or null). */
    public FakeHttpResponse listRooms(String connectionId, String query) {
        FakeHttpRequest request = FakeHttpRequest.get("https://" + FUNCTION_HOST + "/api/connections/" + connectionId + "/rooms"
                + (query == null ? "" : "?" + query));
        return (FakeHttpResponse) scheduling.listRooms(request, connectionId, new FakeExecutionContext("listRooms"));
    }

    public FakeHttpResponse availability(String connectionId, String json) {
        FakeHttpRequest request = FakeHttpRequest.post("https://" + FUNCTION_HOST + "/api/connections/" + connectionId + "/availability", json)
                .header("Content-Type", "application/json");
        return (FakeHttpResponse) scheduling.getAvailability(request, connectionId, new FakeExecutionContext("getAvailability"));
    }

    public FakeHttpResponse meetingTimes(String connectionId, String json) {
        FakeHttpRequest request = FakeHttpRequest.post("https://" + FUNCTION_HOST + "/api/connections/" + connectionId + "/meeting-times", json)
                .header("Content-Type", "application/json");
        return (FakeHttpResponse) scheduling.findMeetingTimes(request, connectionId, new FakeExecutionContext("findMeetingTimes"));
    }

    /** GET on a read route of the API, {@code pathAndQuery} after /api/connections/{id}, for example "/messages?folder=inbox". */
    public FakeHttpResponse read(String connectionId, String pathAndQuery) {
        String url = "https://" + FUNCTION_HOST + "/api/connections/" + connectionId + pathAndQuery;
        FakeHttpRequest request = FakeHttpRequest.get(url).header("X-Owner-Id", "owner-1");
        String path = pathAndQuery.replaceAll("\\?.*", "");
        String[] parts = path.split("/");
        FakeExecutionContext ctx = new FakeExecutionContext("read");
        if (path.equals("/messages")) {
            return (FakeHttpResponse) reading.listMessages(request, connectionId, ctx);
        }
        if (path.equals("/events")) {
            return (FakeHttpResponse) reading.listEvents(request, connectionId, ctx);
        }
        if (path.equals("/changes")) {
            return (FakeHttpResponse) sync.listChanges(request, connectionId, ctx);
        }
        if (parts.length == 3 && parts[1].equals("messages")) {
            return (FakeHttpResponse) reading.getMessage(request, connectionId, parts[2], ctx);
        }
        if (parts.length == 5 && parts[1].equals("messages") && parts[3].equals("attachments")) {
            return (FakeHttpResponse) reading.getAttachment(request, connectionId, parts[2], parts[4], ctx);
        }
        throw new IllegalArgumentException("no read route " + path);
    }

    /** The connection's whole change feed, read as a web app reads it: pages of 500 from the start, following {@code nextCursor}. */
    public List<JsonNode> readFeed(String connectionId) {
        List<JsonNode> all = new ArrayList<>();
        String cursor = "";
        while (true) {
            JsonNode page = json(read(connectionId, "/changes?limit=500" + cursor).bodyText());
            if (page.path("gap").asBoolean()) {
                // nothing removes changes in these tests but housekeeping: a gap is a hole the feed writer left
                throw new AssertionError("a gap in the feed of " + connectionId + " after " + cursor + ": " + page);
            }
            page.path("changes").forEach(all::add);
            if (!page.path("more").asBoolean()) {
                return all;
            }
            cursor = "&cursor=" + page.path("nextCursor").asText();
        }
    }

    /** Graph's deliveries to this harness's notification URLs, answered by the receiver functions in process. */
    public NotificationEndpoint graphEndpoint() {
        return (url, contentType, body, query) -> {
            FakeHttpRequest request = FakeHttpRequest.post(url, body).header("Content-Type", contentType);
            FakeHttpResponse response = (FakeHttpResponse) (url.contains("/api/graph/lifecycle")
                    ? graphNotifications.lifecycle(request, new FakeExecutionContext("graphLifecycle"))
                    : graphNotifications.notifications(request, new FakeExecutionContext("graphNotifications")));
            return new NotificationEndpoint.Response(response.getStatusCode(), response.getHeader("Content-Type"), response.bodyText());
        };
    }

    /** A connected user with an active connection: connection id and the user. */
    public record Connected(String connectionId, FakeUser user) {
    }

    /** Connects a new user of {@code cloud} through the real sign-in flow, with these features (JSON strings). */
    public Connected connect(NationalCloud cloud, String features) {
        FakeUser user = entra.addUser(cloud, UUID.randomUUID().toString(),
                "user-" + UUID.randomUUID().toString().substring(0, 8) + "@contoso.com");
        var started = start(cloud, features);
        entra.nextSignIn(user);
        browser().navigate(started.get("loginUrl").asText());
        return new Connected(started.get("connectionId").asText(), user);
    }

    /** A new browser with no cookies. */
    public TestBrowser browser() {
        return new TestBrowser(FUNCTION_HOST, this::dispatch, browserHttp.okHttp(), List.of(APP_HOST));
    }

    /** A new browser with no cookies whose sign-in routes run on {@code instance} (one a {@link KillSwitch} may kill). */
    public TestBrowser browserOn(Instance instance) {
        AuthFunctions instanceAuth = instance.context().newFunction(AuthFunctions.class);
        return new TestBrowser(FUNCTION_HOST, (request, path) -> dispatch(instanceAuth, request, path), browserHttp.okHttp(), List.of(APP_HOST));
    }

    /** POST /api/connections as the web app's backend would. */
    public FakeHttpResponse createConnection(String json) {
        return (FakeHttpResponse) api.create(FakeHttpRequest.post("https://" + FUNCTION_HOST + "/api/connections", json)
                .header("Content-Type", "application/json"), new FakeExecutionContext("createConnection"));
    }

    /** GET /api/connections?{query} with {@code X-Owner-Id: ownerHeader} (none when null). */
    public FakeHttpResponse listConnections(String query, String ownerHeader) {
        FakeHttpRequest request = FakeHttpRequest.get("https://" + FUNCTION_HOST + "/api/connections?" + query);
        if (ownerHeader != null) {
            request.header("X-Owner-Id", ownerHeader);
        }
        return (FakeHttpResponse) api.list(request, new FakeExecutionContext("listConnections"));
    }

    public FakeHttpResponse getConnection(String id) {
        return (FakeHttpResponse) api.get(FakeHttpRequest.get("https://" + FUNCTION_HOST + "/api/connections/" + id), id,
                new FakeExecutionContext("getConnection"));
    }

    /** POST /api/connections/{id}/completion with {@code X-Owner-Id: ownerHeader} (none when null). */
    public FakeHttpResponse confirmCompletion(String id, String ownerHeader, String json) {
        FakeHttpRequest request = FakeHttpRequest.post("https://" + FUNCTION_HOST + "/api/connections/" + id + "/completion", json)
                .header("Content-Type", "application/json");
        if (ownerHeader != null) {
            request.header("X-Owner-Id", ownerHeader);
        }
        return (FakeHttpResponse) api.completion(request, id, new FakeExecutionContext("confirmCompletion"));
    }

    public FakeHttpResponse deleteConnection(String id) {
        return (FakeHttpResponse) api.delete(FakeHttpRequest.of(HttpMethod.DELETE, "https://" + FUNCTION_HOST + "/api/connections/" + id), id,
                new FakeExecutionContext("deleteConnection"));
    }

    /** Starts a connection and returns the POST response body as JSON. */
    public JsonNode start(NationalCloud cloud, String features) {
        FakeHttpResponse response = createConnection("{\"ownerId\":\"owner-1\",\"features\":[" + features + "],\"cloud\":\""
                + cloud.id() + "\",\"returnUrl\":\"" + RETURN_URL + "\"}");
        if (response.getStatusCode() != 201) {
            throw new AssertionError("createConnection answered " + response.getStatusCode() + ": " + response.bodyText());
        }
        JsonNode body = json(response.bodyText());
        // The login link is a capability: its session id must never be logged.
        SecretsLedger.remember(body.get("loginUrl").asText().replaceAll(".*/", ""));
        return body;
    }

    /** Reconnects a global connection of owner-1 (features: the JSON array's content, as in {@link #start}); the POST's body. */
    public JsonNode reconnect(String connectionId, String features) {
        FakeHttpResponse response = createConnection("{\"ownerId\":\"owner-1\",\"features\":[" + features + "],\"cloud\":\"global\","
                + "\"connectionId\":\"" + connectionId + "\",\"returnUrl\":\"" + RETURN_URL + "\"}");
        if (response.getStatusCode() != 201) {
            throw new AssertionError("reconnecting answered " + response.getStatusCode() + ": " + response.bodyText());
        }
        return json(response.bodyText());
    }

    /** The clocked queue {@code name} (without prefix) of a harness made {@link #withClockedQueues}. */
    public ClockedWorkQueue clockedQueue(String name) {
        if (!clockedQueueWiring) {
            throw new IllegalStateException("this harness uses storage queues: use queue(name)");
        }
        return clockedQueues.computeIfAbsent(tables.queuePrefix() + name, n -> new ClockedWorkQueue(clock));
    }

    /**
     * Runs the sync worker over every visible request of the clocked sync queue until none is left; when only
     * requests due later are left (a notification's scheduled run, a busy feed's retry) the clock moves 31 s.
     */
    public void drainSyncQueue() {
        ClockedWorkQueue queue = clockedQueue(SyncFunctions.SYNC_QUEUE);
        for (int round = 0; round < 50; round++) {
            List<String> visible = queue.receiveVisible();
            if (visible.isEmpty()) {
                if (queue.size() == 0) {
                    return;
                }
                clock.advance(Duration.ofSeconds(31));
                continue;
            }
            for (String message : visible) {
                sync.syncWorker(message, new FakeExecutionContext("syncWorker"));
            }
        }
        throw new AssertionError("the sync queue did not drain");
    }

    /** This harness's queue {@code name} (prefixed like its tables), reached the way the app reaches it; not created here. */
    public QueueClient queue(String name) {
        Settings s = SettingsReader.read(env);
        return AzureClients.queue(s.storage(), s.hostingCloud(), () -> null, ContextParts.of(context).http().azureHttpClient(), STORAGE_SLEEPER,
                tables.queuePrefix() + name);
    }

    public static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private HttpResponseMessage dispatch(FakeHttpRequest request, String path) {
        return dispatch(auth, request, path);
    }

    private static HttpResponseMessage dispatch(AuthFunctions auth, FakeHttpRequest request, String path) {
        Matcher login = LOGIN_ROUTE.matcher(path);
        if (login.matches()) {
            return auth.login(request, login.group(1), new FakeExecutionContext("authLogin"));
        }
        Matcher admin = ADMIN_ROUTE.matcher(path);
        if (admin.matches()) {
            return auth.adminConsent(request, admin.group(1), new FakeExecutionContext("authAdminConsent"));
        }
        if (path.equals("/api/auth/callback")) {
            return auth.callback(request, new FakeExecutionContext("authCallback"));
        }
        return request.createResponseBuilder(HttpStatus.NOT_FOUND).body("no route " + path).build();
    }

    @Override
    public void close() {
        if (identity != null) {
            identity.close();
            ManagedIdentityTestEnvironment.reset();
        }
        graph.close();
        entra.close();
    }
}
