package io.m365connector.demo;

import io.m365connector.app.AppContext;
import io.m365connector.app.Wiring;
import io.m365connector.app.Tables;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.devhost.LocalFunctionHost;
import io.m365connector.platform.Settings;
import io.m365connector.platform.SettingsReader;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.FakeKeyVault;
import io.m365connector.testing.LocalCloudRouting;
import io.m365connector.testing.SecretsLedger;
import io.m365connector.testing.entra.FakeEntraId;
import io.m365connector.testing.entra.FakeUser;
import io.m365connector.testing.graph.FakeGraph;
import io.m365connector.testing.graph.FakeRoom;
import java.io.IOException;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Everything the no-tenant demo runs, wired like production: Azurite; fakes of Entra ID (with its
 * sign-in and consent pages), Microsoft Graph and Key Vault at the real host names; the app's
 * function classes served over HTTP by {@link LocalFunctionHost}; a local proxy per sign-in host so a
 * real browser can reach the fake Entra ID; and the sample web app. Used by {@link DemoMain} and by
 * the browser tests. Demo and test scope only.
 */
public final class DemoEnvironment implements AutoCloseable {
    public final FakeEntraId entra = new FakeEntraId();
    public final FakeGraph graph = new FakeGraph(entra);
    public final FakeKeyVault vault = new FakeKeyVault();
    public final LocalCloudRouting routing = vault.routeInto(graph.routeInto(entra.routeInto(new LocalCloudRouting())));
    public final Map<NationalCloud, List<FakeUser>> users = new LinkedHashMap<>();
    public final AppContext context;
    public final LocalFunctionHost functions;
    final DemoWebApp webApp;
    public final String functionKey = SecretsLedger.remember("demo-function-key-" + UUID.randomUUID());
    private final List<BrowserProxy> proxies = new ArrayList<>();
    private final OutboundHttp routedHttp = new OutboundHttp(new Settings.HttpSettings(Duration.ofSeconds(10), Optional.empty()), routing);

    /**
     * @param functionsPort 0 for any free port (7071 is what Core Tools uses)
     * @param webAppPort    0 for any free port
     */
    public DemoEnvironment(int functionsPort, int webAppPort) throws IOException {
        int port = functionsPort == 0 ? freePort() : functionsPort;
        String functionsBase = "http://localhost:" + port;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        vault.putKey("token-encryption-key", UUID.randomUUID().toString().replace("-", ""), key, true);

        int webPort = webAppPort == 0 ? freePort() : webAppPort;
        Map<String, String> env = new HashMap<>();
        env.put("AzureWebJobsStorage", Azurite.shared().connectionString());
        env.put("M365_CLOUDS", "global,usgov,usgovdod,china");
        env.put("PUBLIC_BASE_URL", functionsBase);
        env.put("ALLOWED_RETURN_URLS", "http://localhost:" + webPort + "/connected");
        env.put("TOKEN_KEY_VAULT_URL", FakeKeyVault.VAULT_URL);
        env.put("REFRESH_SCHEDULE", "0 */5 * * * *");
        int i = 1;
        for (NationalCloud cloud : NationalCloud.values()) {
            String clientId = String.format("%08d-aaaa-bbbb-cccc-dddddddddddd", i++);
            String secret = SecretsLedger.remember("demo-secret-" + cloud.id() + "-" + UUID.randomUUID());
            String name = cloud.id().toUpperCase(Locale.ROOT);
            env.put("M365_" + name + "_CLIENT_ID", clientId);
            env.put("M365_" + name + "_CLIENT_SECRET", secret);
            entra.registerApp(clientId, secret, functionsBase + "/api/auth/callback");
            String domain = switch (cloud) {
                case GLOBAL -> "contoso.com";
                case USGOV -> "contoso.us";
                case USGOVDOD -> "army.mil";
                case CHINA -> "contoso.cn";
            };
            String tenant = UUID.randomUUID().toString();
            users.put(cloud, List.of(entra.addUser(cloud, tenant, "adele.vance@" + domain), entra.addUser(cloud, tenant, "alex.wilber@" + domain)));
            addRooms(tenant, domain, List.of("adele.vance@" + domain, "alex.wilber@" + domain));
        }
        context = new AppContext(Wiring.production().settings(() -> SettingsReader.read(env)).routing(routing).clock(Clock.systemUTC()).hostingCredential(vault.credential()).tables(Tables.defaults()));

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
        webApp = new DemoWebApp(webPort, functionsBase, functionKey, this::mailboxView);
    }

    /**
     * Two rooms per tenant for the "Book a room" step, on the demo day (1 December 2026, Berlin time):
     * the users are busy 08:00-09:00, the Board Room 11:00-12:00, the Focus Room all morning.
     */
    private void addRooms(String tenant, String domain, List<String> people) {
        graph.scheduling().addRoom(tenant, new FakeRoom("board@" + domain, "Board Room", 12, "HQ", 3, "3rd floor", true, null,
                "Teams Room camera", "85-inch screen", List.of("whiteboard"), "1 Main St", null, null));
        graph.scheduling().addRoom(tenant, FakeRoom.of("focus@" + domain, "Focus Room", 4, "HQ"));
        for (String person : people) {
            graph.scheduling().addBusy(person, Instant.parse("2026-12-01T07:00:00Z"), Instant.parse("2026-12-01T08:00:00Z"), "busy", "Stand-up");
        }
        graph.scheduling().addBusy("board@" + domain, Instant.parse("2026-12-01T10:00:00Z"), Instant.parse("2026-12-01T11:00:00Z"), "busy", "Board");
        graph.scheduling().addBusy("focus@" + domain, Instant.parse("2026-12-01T07:00:00Z"), Instant.parse("2026-12-01T11:00:00Z"), "busy", "Held");
    }

    public String webAppUrl() {
        return webApp.url();
    }

    public String functionsUrl() {
        return "http://localhost:" + functions.port();
    }

    /** The fake Graph's view of the mailbox and calendar of a connection's user. */
    private String mailboxView(String connectionId) {
        var connection = context.connections().find(connectionId).orElse(null);
        if (connection == null || connection.account() == null) {
            return DemoWebApp.page("No mailbox", "<p>This connection has no signed-in user yet.</p><p><a href=\"/\">Back</a></p>");
        }
        String url = "https://" + connection.cloud().graphHost() + "/_fake/mailbox/" + connection.account().userPrincipalName();
        try (Response response = routedHttp.okHttp().newCall(new Request.Builder().url(url).build()).execute()) {
            return response.body() == null ? "" : response.body().string();
        } catch (IOException e) {
            return DemoWebApp.page("Mailbox unavailable", "<p>" + e.getClass().getSimpleName() + "</p>");
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        webApp.close();
        functions.close();
        proxies.forEach(BrowserProxy::close);
        graph.close();
        vault.close();
        entra.close();
    }
}
