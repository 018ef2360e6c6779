package io.m365connector.app;

import io.m365connector.connect.ConnectService;
import io.m365connector.connect.LoginSessionStore;
import io.m365connector.connect.SignInFlow;
import io.m365connector.connect.TableLoginSessionStore;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.connection.StatusListener;
import io.m365connector.connection.SyncHealth;
import io.m365connector.connection.TableConnectionStore;
import io.m365connector.functions.MaintenanceFunctions;
import io.m365connector.maintenance.QueuedStatusNotifications;
import io.m365connector.platform.Lazy;
import io.m365connector.platform.http.MsalHttpClient;
import io.m365connector.tokens.MsalClients;
import io.m365connector.tokens.RefreshOutcomes;
import io.m365connector.tokens.RefreshPolicy;
import io.m365connector.tokens.TokenBroker;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Connections and their tokens: the store, MSAL, the one writer of token outcomes, the broker, and the sign-in flow. */
final class TokenParts {
    /** A cached access token is used until this long before it expires. */
    static final Duration TOKEN_CLOCK_SKEW = Duration.ofMinutes(5);
    /** How often a warm instance re-reads a connection's status (so a disconnect elsewhere takes effect). */
    static final Duration STATUS_RECHECK = Duration.ofSeconds(30);

    final Lazy<ConnectionStore> connections;
    final Lazy<MsalClients> msal;
    final Lazy<LoginSessionStore> loginSessions;
    /** Status changes as webhook events (none without a webhook URL); the credential check announces through it too. */
    final Lazy<Optional<QueuedStatusNotifications>> webhooks;
    final Lazy<StatusListener> statusListener;
    final Lazy<RefreshOutcomes> outcomes;
    final Lazy<TokenBroker> broker;
    final Lazy<SignInFlow> signInFlow;
    final Lazy<ConnectService> connectService;

    /** What sync adds to connections' lives: its enrollment listener, and deleting Graph subscriptions before a disconnect. */
    record SyncHooks(Supplier<StatusListener> enrollment, Consumer<String> beforeDisconnect, Supplier<SyncHealth.Source> health) {
    }

    TokenParts(Wiring wiring, PlatformParts platform, CredentialParts credentials, SyncHooks sync) {
        var tables = platform.tables;
        var settings = platform.settings;
        this.connections = Lazy.of(() -> new TableConnectionStore(tables.get().getTableClient(wiring.tables.connections()),
                tables.get().getTableClient(wiring.tables.refreshDue()), tables.get().getTableClient(wiring.tables.connectionOwners())));
        this.msal = Lazy.of(() -> new MsalClients(settings.get(), MsalHttpClient.over(platform.http.get()),
                credentials.clientCredentials.get(), credentials.states));
        this.loginSessions = Lazy.of(() -> new TableLoginSessionStore(tables.get().getTableClient(wiring.tables.loginSessions())));
        this.webhooks = Lazy.of(() -> settings.get().webhook()
                .map(w -> new QueuedStatusNotifications(platform.queue(MaintenanceFunctions.NOTIFICATION_QUEUE), wiring.clock)));
        this.statusListener = Lazy.of(() -> StatusListener.all(webhooks.get().<StatusListener>map(w -> w).orElse(StatusListener.NONE),
                sync.enrollment().get()));
        this.outcomes = Lazy.of(() -> new RefreshOutcomes(connections.get(), RefreshPolicy.keepAliveEvery(settings.get().refreshKeepAlive()),
                wiring.clock, statusListener.get()));
        this.broker = Lazy.of(() -> new TokenBroker(connections.get(), platform.sealer.get(), msal.get(), outcomes.get(), wiring.clock,
                new TokenBroker.Timing(TOKEN_CLOCK_SKEW, STATUS_RECHECK, wiring.sleeper)));
        this.signInFlow = Lazy.of(() -> new SignInFlow(settings.get(), msal.get(), loginSessions.get(), platform.sealer.get(),
                outcomes.get(), wiring.clock));
        this.connectService = Lazy.of(() -> new ConnectService(settings.get(), msal.get(), loginSessions.get(), connections.get(),
                wiring.clock, new ConnectService.Disconnects(sync.beforeDisconnect(), id -> broker.get().forget(id)), statusListener.get(),
                connection -> sync.health().get().of(connection)));
    }
}
