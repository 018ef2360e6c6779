package io.m365connector.app;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.data.tables.TableServiceClient;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.credentials.AppCredentialListener;
import io.m365connector.credentials.AppCredentialStates;
import io.m365connector.credentials.AppCredentialStatus;
import io.m365connector.credentials.AppCredentialStore;
import io.m365connector.credentials.ClientCredentials;
import io.m365connector.credentials.KeyVaultSecretExpiry;
import io.m365connector.credentials.ManagedIdentityTokens;
import io.m365connector.credentials.TableAppCredentialStore;
import io.m365connector.health.AppCredentialMonitor;
import io.m365connector.platform.Lazy;
import io.m365connector.platform.Settings;
import io.m365connector.platform.Sleeper;
import io.m365connector.platform.TableAccess;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The composition root's app credential parts: the managed identity token source, each cloud's MSAL
 * client credential, and the credential check (its store, Key Vault expiry reads and notifications).
 * Built lazily, like the rest of {@link AppContext}.
 */
final class CredentialParts {
    final Lazy<ClientCredentials> clientCredentials;
    /** The credential check's records (also read by the webhook worker, to confirm an event queued before its record). */
    final Lazy<AppCredentialStore> store;
    final Lazy<AppCredentialMonitor> monitor;
    /** The check as refreshes see it (the monitor built when first asked). */
    final AppCredentialStates states;

    /** Where the parts come from; suppliers so nothing is built before it is used. */
    record Sources(Supplier<Settings> settings, Supplier<HttpClient> http, Supplier<TokenCredential> hostingCredential,
                   Supplier<TableServiceClient> tables, String tableName, Supplier<AppCredentialListener> listener,
                   AppCredentialMonitor.TokenRequest tokenRequest, Clock clock, Sleeper sleeper) {
    }

    /** @param identityTokens null in production (azure-identity's managed identity credential) */
    CredentialParts(Sources sources, ManagedIdentityTokens identityTokens) {
        Lazy<ManagedIdentityTokens> tokens = Lazy.of(() -> identityTokens != null ? identityTokens
                : AzureClients.managedIdentityTokens(sources.http().get()));
        this.clientCredentials = Lazy.of(() -> new ClientCredentials(tokens.get()));
        this.store = Lazy.of(() -> new TableAppCredentialStore(new TableAccess(sources.tables().get().getTableClient(sources.tableName()))));
        this.monitor = Lazy.of(() -> new AppCredentialMonitor(sources.settings().get(), sources.tokenRequest(),
                new KeyVaultSecretExpiry(vault -> AzureClients.secretClient(vault, sources.hostingCredential().get(), sources.http().get(),
                        sources.sleeper())),
                store.get(), sources.listener().get(), sources.clock()));
        this.states = new MonitorStates(monitor);
    }

    private record MonitorStates(Lazy<AppCredentialMonitor> monitor) implements AppCredentialStates {
        @Override
        public Optional<AppCredentialStatus> current(NationalCloud cloud) {
            return monitor.get().current(cloud);
        }

        @Override
        public Optional<AppCredentialStatus> recheck(NationalCloud cloud, Instant since) {
            return monitor.get().recheck(cloud, since);
        }
    }
}
