package io.m365connector.app;

import com.azure.core.credential.AzureNamedKeyCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.policy.AddDatePolicy;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.core.http.policy.HttpLoggingPolicy;
import com.azure.core.http.policy.RequestIdPolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.http.policy.UserAgentPolicy;
import com.azure.core.util.Configuration;
import com.azure.core.util.CoreUtils;
import com.azure.core.util.tracing.TracerProvider;
import com.azure.data.tables.TableScrubEtagPolicy;
import com.azure.data.tables.implementation.StorageAuthenticationSettings;
import com.azure.data.tables.implementation.StorageConnectionString;
import com.azure.core.util.logging.ClientLogger;
import java.util.Map;
import java.util.Optional;

/**
 * The Table client's pipeline for a storage connection string with an account key, built as azure-data-tables builds it
 * (its {@code BuilderHelper.buildPipeline}: user agent, request id, retry, date, credential, logging, ETag scrub) with one
 * policy swapped: {@link SharedKeyLitePolicy} for the SDK's {@code TableAzureNamedKeyCredentialPolicy}.
 *
 * <p>Why: the SDK's policy implements only the reactive {@code process}, so every synchronous Table call through it
 * goes {@code process(..).block()}: a cold instance initialises reactor's schedulers and operators (~130 classes) on its
 * first Table read, the notification receiver's included. The connection string is read by the SDK's own parser (the one
 * its builder uses), so the endpoint and the account are the builder's. A connection string with a SAS, or none,
 * is left to the SDK's builder ({@link #forConnectionString} answers empty).
 */
final class SharedKeyTablePipeline {
    private static final ClientLogger LOGGER = new ClientLogger(SharedKeyTablePipeline.class);
    private static final Map<String, String> SDK_PROPERTIES = CoreUtils.getProperties("azure-data-tables.properties");
    private static final String CLIENT_NAME = SDK_PROPERTIES.getOrDefault("name", "azure-data-tables");
    private static final String CLIENT_VERSION = SDK_PROPERTIES.getOrDefault("version", "UnknownVersion");
    private static final String TRACING_NAMESPACE = "Microsoft.Tables";

    /** A pipeline and the table endpoint it serves. */
    record Built(HttpPipeline pipeline, String endpoint) {
    }

    private SharedKeyTablePipeline() {
    }

    /** The pipeline for a connection string that names an account key; empty for any other connection string. */
    static Optional<Built> forConnectionString(String connectionString, HttpClient http, RetryPolicy retry) {
        StorageConnectionString parsed = StorageConnectionString.create(connectionString, LOGGER);
        StorageAuthenticationSettings auth = parsed.getStorageAuthSettings();
        if (auth.getType() != StorageAuthenticationSettings.Type.ACCOUNT_NAME_KEY || parsed.getTableEndpoint() == null
                || parsed.getTableEndpoint().getPrimaryUri() == null) {
            return Optional.empty();
        }
        AzureNamedKeyCredential key = new AzureNamedKeyCredential(auth.getAccount().getName(), auth.getAccount().getAccessKey());
        HttpPipeline pipeline = new HttpPipelineBuilder()
                .httpClient(http)
                .policies(new UserAgentPolicy(null, CLIENT_NAME, CLIENT_VERSION, Configuration.getGlobalConfiguration()),
                        new RequestIdPolicy(),
                        retry,
                        new AddDatePolicy(),
                        new SharedKeyLitePolicy(key),
                        new HttpLoggingPolicy(new HttpLogOptions()),
                        new TableScrubEtagPolicy())
                .tracer(TracerProvider.getDefaultProvider().createTracer(CLIENT_NAME, CLIENT_VERSION, TRACING_NAMESPACE, null))
                .build();
        return Optional.of(new Built(pipeline, parsed.getTableEndpoint().getPrimaryUri()));
    }
}
