package io.m365connector.app;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.data.tables.TableServiceClient;
import com.azure.data.tables.TableServiceClientBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueClientBuilder;
import com.azure.storage.queue.QueueMessageEncoding;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.credentials.AzureManagedIdentityTokens;
import io.m365connector.credentials.ManagedIdentityTokens;
import io.m365connector.credentials.PlatformIdentityCredential;
import io.m365connector.crypto.KeyProvider;
import io.m365connector.crypto.KeyVaultKeyProvider;
import io.m365connector.crypto.LocalKeyProvider;
import io.m365connector.platform.Settings.KeySource;
import io.m365connector.platform.Settings.KeyVaultKey;
import io.m365connector.platform.Settings.LocalKey;
import io.m365connector.platform.Settings.StorageSettings;
import io.m365connector.platform.Settings;
import io.m365connector.platform.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.logging.Logger;
import reactor.core.publisher.Mono;

/** Builds Azure SDK clients on the shared HTTP stack, for the hosting cloud. */
public final class AzureClients {
    private static final Logger LOG = Logger.getLogger(AzureClients.class.getName());
    /**
     * Short, bounded retries: these calls sit on an API request path, and a caller is better served
     * by a quick 503 than by the SDK default of up to ~6 s of backoff.
     */
    private static final ExponentialBackoffOptions BACKOFF = new ExponentialBackoffOptions()
            .setMaxRetries(3).setBaseDelay(Duration.ofMillis(100)).setMaxDelay(Duration.ofSeconds(1));
    /**
     * The queue client's own retry policy (Storage's, not azure-core's: it waits with Thread.sleep) makes one try only;
     * the retries are azure-core's, on the app's sleeper, in front of it ({@link #queue}).
     */
    private static final RequestRetryOptions QUEUE_ONE_TRY = new RequestRetryOptions(RetryPolicyType.FIXED, 1, (Integer) null, null, null, null);

    private AzureClients() {
    }

    /**
     * Managed identity in Azure; developer credentials (Azure CLI, environment) locally. On App Service and Azure Functions
     * the platform's identity endpoint is asked directly ({@link PlatformIdentityCredential}): azure-identity and MSAL are
     * then never loaded, which every function's first storage request paid for (the notification receiver's included).
     */
    public static TokenCredential hostingCredential(Settings settings, HttpClient http, Clock clock, Sleeper sleeper) {
        if (settings.platformIdentity().isPresent()) {
            return new PlatformIdentityCredential(settings.platformIdentity().get(), settings.managedIdentityClientId(), http, clock, sleeper);
        }
        return azureIdentityCredential(settings, http);
    }

    /** azure-identity's DefaultAzureCredential for the hosting cloud (and the user-assigned identity, if one is named). */
    private static TokenCredential azureIdentityCredential(Settings settings, HttpClient http) {
        DefaultAzureCredentialBuilder builder = new DefaultAzureCredentialBuilder()
                .authorityHost(settings.hostingCloud().identityAuthorityHost())
                .httpClient(http);
        settings.managedIdentityClientId().ifPresent(builder::managedIdentityClientId);
        return builder.build();
    }

    /**
     * @param credential asked for only when the storage has no connection string: with one, azure-identity and MSAL
     *                   are never loaded (the notification receiver's cold start needs neither); a connection string with
     *                   an account key is signed by {@link SharedKeyTablePipeline}'s policy, which keeps reactor out of
     *                   synchronous Table calls
     */
    public static TableServiceClient tableService(StorageSettings storage, HostingCloud cloud,
                                                  Supplier<TokenCredential> credential, HttpClient http, Sleeper sleeper) {
        if (storage.connectionString().isPresent()) {
            String connectionString = storage.connectionString().get();
            return SharedKeyTablePipeline.forConnectionString(connectionString, http, retry(sleeper))
                    .map(built -> new TableServiceClientBuilder().pipeline(built.pipeline()).endpoint(built.endpoint()).buildClient())
                    .orElseGet(() -> tableBuilder(http, sleeper).connectionString(connectionString).buildClient());
        }
        return tableBuilder(http, sleeper).endpoint(storage.tableEndpoint(cloud)).credential(credential.get()).buildClient();
    }

    /** The SDK's Table client builder on the shared HTTP stack, retried on the app's sleeper. */
    private static TableServiceClientBuilder tableBuilder(HttpClient http, Sleeper sleeper) {
        return new TableServiceClientBuilder().httpClient(http).retryPolicy(retry(sleeper));
    }

    /**
     * A queue client that base64-encodes messages, as the Functions queue trigger expects by default. Retried as the
     * Table and Key Vault clients are ({@link #BACKOFF} on the sleeper): the retry policy is added per call, so it sits
     * ahead of the date and credential policies and every try is dated and signed anew.
     */
    public static QueueClient queue(StorageSettings storage, HostingCloud cloud, Supplier<TokenCredential> credential,
                                    HttpClient http, Sleeper sleeper, String queueName) {
        QueueClientBuilder builder = new QueueClientBuilder()
                .queueName(queueName).httpClient(http).retryOptions(QUEUE_ONE_TRY).addPolicy(new PerCall(retry(sleeper)))
                .messageEncoding(QueueMessageEncoding.BASE64)
                // A message that is not base64 (put on by hand without encoding; the Functions host moves such a message to the
                // poison queue as it is) is skipped by a receive (WorkQueue.take) instead of failing it with its batch.
                .processMessageDecodingError(error -> LOG.warning("Queue '" + queueName + "': message "
                        + error.getQueueMessageItem().getMessageId() + " is not base64; left where it is"));
        if (storage.connectionString().isPresent()) {
            return builder.connectionString(storage.connectionString().get()).buildClient();
        }
        return builder.endpoint(storage.queueEndpoint(cloud)).credential(credential.get()).buildClient();
    }

    /** The token key: Key Vault (read with the hosting credential, built only then) or a local key. */
    static KeyProvider keyProvider(KeySource source, Supplier<TokenCredential> credential, HttpClient http, Sleeper sleeper, Clock clock,
                                   Duration currentKeyTtl) {
        if (source instanceof LocalKey local) {
            return new LocalKeyProvider(local.key().toArray());
        }
        KeyVaultKey vault = (KeyVaultKey) source;
        return new KeyVaultKeyProvider(secretClient(vault.vaultUrl().toString(), credential.get(), http, sleeper), vault.secretName(), clock, currentKeyTtl);
    }

    /** The app's user-assigned managed identity as the source of client assertions (federated credentials). */
    public static ManagedIdentityTokens managedIdentityTokens(HttpClient http) {
        return new AzureManagedIdentityTokens(http);
    }

    public static SecretClient secretClient(String vaultUrl, TokenCredential credential, HttpClient http, Sleeper sleeper) {
        return new SecretClientBuilder().vaultUrl(vaultUrl).credential(credential).httpClient(http)
                .retryPolicy(retry(sleeper)).buildClient();
    }

    /** A policy placed once per call, ahead of the client's own retry policy (azure-core's RetryPolicy is placed per retry). */
    private record PerCall(HttpPipelinePolicy policy) implements HttpPipelinePolicy {
        @Override
        public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
            return policy.process(context, next);
        }

        @Override
        public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
            return policy.processSync(context, next);
        }

        @Override
        public HttpPipelinePosition getPipelinePosition() {
            return HttpPipelinePosition.PER_CALL;
        }
    }

    /** {@link #BACKOFF}, waited out on the app's sleeper ({@link SleeperRetryStrategy}). */
    private static RetryPolicy retry(Sleeper sleeper) {
        return new RetryPolicy(new SleeperRetryStrategy(BACKOFF, sleeper));
    }
}
