package io.m365connector.demo;

import io.m365connector.app.AppContext;
import io.m365connector.app.AzureClients;
import io.m365connector.app.ContextParts;
import io.m365connector.app.Wiring;
import io.m365connector.app.Tables;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.devhost.LocalFunctionHost;
import io.m365connector.functions.MaintenanceFunctions;
import io.m365connector.functions.SyncFunctions;
import io.m365connector.platform.Json;
import io.m365connector.platform.Settings;
import io.m365connector.platform.SettingsReader;
import io.m365connector.platform.Sleeper;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.platform.webhooks.WebhookSecret;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.FakeKeyVault;
import io.m365connector.testing.LocalCloudRouting;
import io.m365connector.testing.Ports;
import io.m365connector.testing.SecretsLedger;
import io.m365connector.testing.entra.FakeEntraId;
import io.m365connector.testing.entra.FakeUser;
import io.m365connector.testing.graph.FakeGraph;
import io.m365connector.testing.graph.FakeRoom;
import io.m365connector.testing.graph.NotificationEndpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Everything the no-tenant demo runs, wired like production: Azurite; fakes of Entra ID (with its
 * sign-in and consent pages), Microsoft Graph and Key Vault at the real host names; the app's
 * function classes served over HTTP by {@link LocalFunctionHost}, with the webhook and sync queues and the
 * sync timer run as the Functions host would; a local proxy per sign-in host so a real browser can reach
 * the fake Entra ID; the fake Graph's change notifications delivered to the local receiver; and the sample
 * web app (samples/webapp, Node.js), which knows only the published HTTP API. Used by {@link DemoMain} and
 * by the browser tests. Demo and test scope only.
 */
public final class DemoEnvironment implements AutoCloseable {
    /** The zone of the demo's rooms and people (the sample web app books in it). */
    static final ZoneId ROOMS_ZONE = ZoneId.of("Europe/Berlin");
    /**
     * The function app's public https address as Graph sees it. Graph delivers notifications only to public
     * https URLs, and the production code subscribes only then (sync/NotificationUrls); the demo's functions
     * are on http://localhost for the browser. So the connector tells Graph this address, a name that resolves
     * nowhere (.invalid, RFC 2606), and the demo's fake Graph delivers to it through the demo's routing to the
     * local functions: what a tunnel (dev tunnels, ngrok) does for a local run against a real tenant.
     */
    public static final String NOTIFICATION_BASE_URL = "https://functions.demo.invalid";

    public final FakeEntraId entra = new FakeEntraId();
    public final FakeGraph graph = new FakeGraph(entra);
    public final FakeKeyVault vault = new FakeKeyVault();
    public final LocalCloudRouting routing = vault.routeInto(graph.routeInto(entra.routeInto(new LocalCloudRouting())));
    public final Map<NationalCloud, List<FakeUser>> users = new LinkedHashMap<>();
    public final AppContext context;
    public final LocalFunctionHost functions;
    public final SampleWebApp webApp;
    public final String functionKey = SecretsLedger.remember("demo-function-key-" + UUID.randomUUID());
    /** The webhook signing secret shared by the functions and the sample web app. */
    public final String webhookSecret = SecretsLedger.remember(WebhookSecret.generate(new SecureRandom()).text());
    private final List<BrowserProxy> proxies = new ArrayList<>();
    private final OutboundHttp routedHttp = new OutboundHttp(new Settings.HttpSettings(Duration.ofSeconds(10), Optional.empty()), routing);
    private final DemoMailbox mailbox;
    private final DemoQueuePoller webhooks;
    private final DemoQueuePoller syncRequests;
    private final DemoTimer syncTimer;

    /**
     * @param functionsPort 0 for any free port (7071 is what Core Tools uses)
     * @param webAppPort    0 for any free port
     */
    public DemoEnvironment(int functionsPort, int webAppPort) throws IOException {
        this(functionsPort, webAppPort, null);
    }

    /** @param sampleOutput where the sample web app's log lines are copied (the demo's console), or null */
    public DemoEnvironment(int functionsPort, int webAppPort, PrintStream sampleOutput) throws IOException {
        int port = functionsPort == 0 ? Ports.free() : functionsPort;
        String functionsBase = "http://localhost:" + port;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        vault.putKey("token-encryption-key", UUID.randomUUID().toString().replace("-", ""), key, true);

        int webPort = webAppPort == 0 ? Ports.free() : webAppPort;
        String webAppUrl = "http://localhost:" + webPort;
        Map<String, String> env = new HashMap<>();
        env.put("AzureWebJobsStorage", Azurite.shared().connectionString());
        env.put("M365_CLOUDS", "global,usgov,usgovdod,china");
        env.put("PUBLIC_BASE_URL", functionsBase);
        env.put("ALLOWED_RETURN_URLS", webAppUrl + "/connected");
        env.put("TOKEN_KEY_VAULT_URL", FakeKeyVault.VAULT_URL);
        env.put("REFRESH_SCHEDULE", "0 */5 * * * *");
        // A change reaches the demo's inbox page about 6 s after Graph's notification (the least allowed), not 10.
        env.put("SYNC_DEBOUNCE_SECONDS", "6");
        env.put("NOTIFY_WEBHOOK_URL", webAppUrl + "/webhooks/m365-connector");
        env.put("NOTIFY_WEBHOOK_SIGNING_SECRET", webhookSecret);
        registerClouds(env, functionsBase);
        context = new AppContext(Wiring.production().settings(() -> SettingsReader.read(env)).routing(routing).clock(Clock.systemUTC())
                .hostingCredential(vault.credential()).tables(Tables.defaults()).notificationBaseUrl(URI.create(NOTIFICATION_BASE_URL)));

        // A real browser cannot resolve the fake's host names: give each sign-in host a loopback proxy.
        // 127.0.0.1, not localhost: the sign-in pages are then another site than the app, as in production,
        // so the SameSite=Lax browser cookie is exercised on a cross-site redirect back to the callback.
        Map<String, String> rewrites = new LinkedHashMap<>();
        for (String host : List.of("login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn")) {
            BrowserProxy proxy = new BrowserProxy("127.0.0.1", host, routedHttp.okHttp());
            proxies.add(proxy);
            rewrites.put("https://" + host + "/", proxy.origin() + "/");
        }
        functions = new LocalFunctionHost(context, "localhost", port, functionKey, rewrites);
        graph.subscriptions().setEndpoint(NotificationEndpoint.overHttp(new OkHttpClient(), url -> toLocalFunctions(url, functionsBase)));
        Settings settings = SettingsReader.read(env);
        webhooks = new DemoQueuePoller(queue(settings, MaintenanceFunctions.NOTIFICATION_QUEUE), ContextParts.of(context).notificationWorker()::handle);
        // The sync worker and timer through the function class's entry points, as the Functions host calls them.
        syncRequests = new DemoQueuePoller(queue(settings, SyncFunctions.SYNC_QUEUE),
                message -> context.newFunction(SyncFunctions.class).syncWorker(message, new FakeExecutionContext("syncWorker")));
        syncTimer = new DemoTimer("syncTimer", Duration.ofMinutes(5),
                info -> context.newFunction(SyncFunctions.class).syncTimer(info, new FakeExecutionContext("syncTimer")));
        mailbox = new DemoMailbox(this::mailboxView, new FakeInbox(), webAppUrl + "/inbox");
        webApp = new SampleWebApp(webPort, Map.of(
                "CONNECTOR_API_URL", functionsBase + "/api",
                "CONNECTOR_FUNCTION_KEY", functionKey,
                "CONNECTOR_WEBHOOK_SECRET", webhookSecret,
                "PUBLIC_URL", webAppUrl,
                "DEMO_MAILBOX_URL", mailbox.urlTemplate(),
                "DEMO_NEW_MAIL_URL", mailbox.newMailUrlTemplate()), sampleOutput);
    }

    private com.azure.storage.queue.QueueClient queue(Settings settings, String name) {
        return AzureClients.queue(settings.storage(), settings.hostingCloud(), () -> null, ContextParts.of(context).http().azureHttpClient(), Sleeper.REAL, name);
    }

    /** Where the fake Graph's POST to the connector's public notification URL goes: the local functions. */
    private static String toLocalFunctions(String url, String functionsBase) {
        if (!url.startsWith(NOTIFICATION_BASE_URL + "/")) {
            throw new IllegalArgumentException("the demo routes only " + NOTIFICATION_BASE_URL); // as an unreachable URL: no delivery
        }
        return functionsBase + url.substring(NOTIFICATION_BASE_URL.length());
    }

    /**
     * One app registration per cloud (with its home tenant and secret expiry, so the credential check
     * runs against the fake and reports ok instead of asking for settings) and two users with rooms.
     */
    private void registerClouds(Map<String, String> env, String functionsBase) {
        int i = 1;
        for (NationalCloud cloud : NationalCloud.values()) {
            String clientId = String.format("%08d-aaaa-bbbb-cccc-dddddddddddd", i++);
            String secret = SecretsLedger.remember("demo-secret-" + cloud.id() + "-" + UUID.randomUUID());
            String name = cloud.id().toUpperCase(Locale.ROOT);
            String tenant = UUID.randomUUID().toString();
            env.put("M365_" + name + "_CLIENT_ID", clientId);
            env.put("M365_" + name + "_CLIENT_SECRET", secret);
            env.put("M365_" + name + "_HOME_TENANT", tenant);
            env.put("M365_" + name + "_CLIENT_SECRET_EXPIRES", LocalDate.now(ZoneOffset.UTC).plusYears(1).toString());
            entra.registerApp(clientId, secret, functionsBase + "/api/auth/callback");
            entra.setHomeTenant(clientId, tenant);
            String domain = switch (cloud) {
                case GLOBAL -> "contoso.com";
                case USGOV -> "contoso.us";
                case USGOVDOD -> "army.mil";
                case CHINA -> "contoso.cn";
            };
            users.put(cloud, List.of(entra.addUser(cloud, tenant, "adele.vance@" + domain), entra.addUser(cloud, tenant, "alex.wilber@" + domain)));
            addRooms(tenant, domain, List.of("adele.vance@" + domain, "alex.wilber@" + domain));
            for (String user : List.of("adele.vance@" + domain, "alex.wilber@" + domain)) {
                // Something for the first sync to find: the synced inbox is not empty on the first look.
                new FakeInbox().deliver(user, "hr@" + domain, "Welcome to Contoso", "Your Microsoft 365 mailbox is ready.");
            }
        }
    }

    /** The demo's mailboxes in the fake Graph, for the page that writes to a connection's user. */
    private final class FakeInbox implements DemoMailbox.Inbox {
        @Override
        public Optional<String> userOf(String connectionId) {
            return ContextParts.of(context).connections().find(connectionId).filter(c -> c.account() != null).map(c -> c.account().userPrincipalName());
        }

        @Override
        public void deliver(String userPrincipalName, String from, String subject, String body) {
            var message = Json.MAPPER.createObjectNode().put("subject", subject);
            message.putObject("from").putObject("emailAddress").put("address", from);
            message.putArray("toRecipients").addObject().putObject("emailAddress").put("address", userPrincipalName);
            message.putObject("body").put("contentType", "text").put("content", body);
            graph.mail().deliver(userPrincipalName, message);
        }
    }

    /**
     * Two rooms per tenant for the "Book a room" step, busy the same way every day from yesterday to
     * two weeks ahead (Berlin time), so whatever day the sample web app picks is ahead of the clock:
     * the users are busy 08:00-09:00, the Board Room 11:00-12:00, the Focus Room all morning.
     */
    private void addRooms(String tenant, String domain, List<String> people) {
        graph.scheduling().addRoom(tenant, new FakeRoom("board@" + domain, "Board Room", 12, "HQ", 3, "3rd floor", true, null,
                "Teams Room camera", "85-inch screen", List.of("whiteboard"), "1 Main St", null, null));
        graph.scheduling().addRoom(tenant, FakeRoom.of("focus@" + domain, "Focus Room", 4, "HQ"));
        LocalDate today = LocalDate.now(ROOMS_ZONE);
        for (LocalDate day = today.minusDays(1); day.isBefore(today.plusDays(15)); day = day.plusDays(1)) {
            for (String person : people) {
                graph.scheduling().addBusy(person, at(day, 8), at(day, 9), "busy", "Stand-up");
            }
            graph.scheduling().addBusy("board@" + domain, at(day, 11), at(day, 12), "busy", "Board");
            graph.scheduling().addBusy("focus@" + domain, at(day, 8), at(day, 12), "busy", "Held");
        }
    }

    private static Instant at(LocalDate day, int hour) {
        return day.atTime(hour, 0).atZone(ROOMS_ZONE).toInstant();
    }

    public String webAppUrl() {
        return webApp.url();
    }

    public String functionsUrl() {
        return "http://localhost:" + functions.port();
    }

    /** The fake Graph's view of the mailbox and calendar of a connection's user. */
    private String mailboxView(String connectionId) {
        var connection = ContextParts.of(context).connections().find(connectionId).orElse(null);
        if (connection == null || connection.account() == null) {
            return DemoMailbox.page("No mailbox", "<p>This connection has no signed-in user yet.</p>");
        }
        String url = "https://" + connection.cloud().graphHost() + "/_fake/mailbox/" + connection.account().userPrincipalName();
        try (Response response = routedHttp.okHttp().newCall(new Request.Builder().url(url).build()).execute()) {
            return response.body() == null ? "" : response.body().string();
        } catch (IOException e) {
            return DemoMailbox.page("Mailbox unavailable", "<p>" + e.getClass().getSimpleName() + "</p>");
        }
    }

    @Override
    public void close() {
        // The stand-ins for the host's triggers first: during a JVM shutdown the Azure SDK's shared executor is
        // already stopping, and a storage call made then logs SEVERE "Shutdown in progress".
        syncTimer.close();
        syncRequests.close();
        webhooks.close();
        webApp.close();
        mailbox.close();
        functions.close();
        proxies.forEach(BrowserProxy::close);
        graph.close();
        vault.close();
        entra.close();
    }
}
