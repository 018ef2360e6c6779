package io.m365connector.app;

import com.azure.core.credential.TokenCredential;
import io.m365connector.credentials.ManagedIdentityTokens;
import io.m365connector.platform.Settings;
import io.m365connector.platform.SettingsReader;
import io.m365connector.platform.Sleeper;
import io.m365connector.platform.WorkQueue;
import io.m365connector.platform.http.HostRouting;
import java.net.URI;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/** What an {@code AppContext} is built from: the production wiring, of which tests and the demo change single inputs. */
public final class Wiring {
    Supplier<Settings> settings = SettingsReader::fromEnvironment;
    HostRouting routing = HostRouting.DIRECT;
    Clock clock = Clock.systemUTC();
    TokenCredential hostingCredential;
    Tables tables = Tables.defaults();
    Sleeper sleeper = Sleeper.REAL;
    Sleeper storageSleeper;
    ManagedIdentityTokens identityTokens;
    Function<String, WorkQueue> queues;
    URI notificationBaseUrl;

    private Wiring() {
    }

    /** Settings from the environment, direct routes, the system clock, real waits: what runs in Azure. */
    public static Wiring production() {
        return new Wiring();
    }

    /** Read on first use; invalid settings fail every call that needs them with a message naming the setting. */
    public Wiring settings(Supplier<Settings> value) {
        this.settings = Objects.requireNonNull(value, "'settings' cannot be null.");
        return this;
    }

    /** Where outbound connections go ({@link HostRouting#DIRECT} in production; tests route the real host names to fakes). */
    public Wiring routing(HostRouting value) {
        this.routing = Objects.requireNonNull(value, "'routing' cannot be null.");
        return this;
    }

    public Wiring clock(Clock value) {
        this.clock = Objects.requireNonNull(value, "'clock' cannot be null.");
        return this;
    }

    /** The credential for Azure (Key Vault, Storage); null: managed identity or developer credentials. */
    public Wiring hostingCredential(TokenCredential value) {
        this.hostingCredential = value;
        return this;
    }

    public Wiring tables(Tables value) {
        this.tables = Objects.requireNonNull(value, "'tables' cannot be null.");
        return this;
    }

    /** How every wait is made ({@link Sleeper#REAL} in production; tests shorten them). */
    public Wiring sleeper(Sleeper value) {
        this.sleeper = Objects.requireNonNull(value, "'sleeper' cannot be null.");
        return this;
    }

    /**
     * How the Table Storage and Key Vault clients wait between their retries: the app's {@link #sleeper} unless set. Tests
     * that count or shorten the app's waits give storage a real one, so that an emulator's hiccup is retried as in Azure
     * (with its backoff) and adds nothing to what they count.
     */
    public Wiring storageSleeper(Sleeper value) {
        this.storageSleeper = Objects.requireNonNull(value, "'storageSleeper' cannot be null.");
        return this;
    }

    Sleeper storageSleeper() {
        return storageSleeper != null ? storageSleeper : sleeper;
    }

    /** The managed identity's tokens for federated app credentials; null: azure-identity. */
    public Wiring identityTokens(ManagedIdentityTokens value) {
        this.identityTokens = value;
        return this;
    }

    /**
     * Where Graph is told to deliver change notifications; null: PUBLIC_BASE_URL. Like PUBLIC_BASE_URL it is used
     * only when it is https (sync/NotificationUrls). The demo, whose functions a browser reaches on http://localhost,
     * gives an https address that its fake Graph delivers to the local functions, as a tunnel would for a local run.
     */
    public Wiring notificationBaseUrl(URI value) {
        this.notificationBaseUrl = value;
        return this;
    }

    /** The queue of each name (with its prefix); null: Azure Storage queues. Tests drive queue delays on their clock with this. */
    public Wiring queues(Function<String, WorkQueue> value) {
        this.queues = value;
        return this;
    }
}
