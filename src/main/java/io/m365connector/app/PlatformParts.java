package io.m365connector.app;

import com.azure.core.credential.TokenCredential;
import com.azure.data.tables.TableServiceClient;
import io.m365connector.crypto.KeyProvider;
import io.m365connector.crypto.TokenCipher;
import io.m365connector.crypto.TokenSealer;
import io.m365connector.platform.Sleeper;
import io.m365connector.platform.Lazy;
import io.m365connector.platform.Settings;
import io.m365connector.platform.StorageWorkQueue;
import io.m365connector.platform.WorkQueue;
import io.m365connector.platform.http.OutboundHttp;
import java.time.Duration;

/** The instance's settings and its ways out: the one HTTP stack, the hosting identity, Table Storage, queues, the token key. */
final class PlatformParts {
    /** How long a Key Vault key version is used before the current version is read again. */
    static final Duration CURRENT_KEY_TTL = Duration.ofMinutes(10);

    final Lazy<Settings> settings;
    final Lazy<OutboundHttp> http;
    final Lazy<TokenCredential> hostingCredential;
    final Lazy<TableServiceClient> tables;
    final Lazy<KeyProvider> keys;
    final Lazy<TokenSealer> sealer;
    private final Wiring wiring;

    PlatformParts(Wiring wiring) {
        this.wiring = wiring;
        this.settings = Lazy.of(wiring.settings);
        this.http = Lazy.of(() -> new OutboundHttp(settings.get().http(), wiring.routing));
        this.hostingCredential = Lazy.of(() -> wiring.hostingCredential != null ? wiring.hostingCredential
                : AzureClients.hostingCredential(settings.get(), http.get().azureHttpClient(), wiring.clock, wiring.sleeper));
        this.tables = Lazy.of(() -> AzureClients.tableService(settings.get().storage(), settings.get().hostingCloud(),
                hostingCredential, http.get().azureHttpClient(), wiring.storageSleeper()));
        this.keys = Lazy.of(() -> AzureClients.keyProvider(settings.get().keySource(), hostingCredential, http.get().azureHttpClient(),
                wiring.storageSleeper(), wiring.clock, CURRENT_KEY_TTL));
        this.sealer = Lazy.of(() -> new TokenSealer(keys.get(), new TokenCipher()));
    }

    /** A storage queue of this instance (names carry the tables' prefix in tests). */
    WorkQueue queue(String name) {
        if (wiring.queues != null) {
            return wiring.queues.apply(wiring.tables.queuePrefix() + name);
        }
        return new StorageWorkQueue(AzureClients.queue(settings.get().storage(), settings.get().hostingCloud(),
                hostingCredential, http.get().azureHttpClient(), wiring.storageSleeper(), wiring.tables.queuePrefix() + name));
    }
}
