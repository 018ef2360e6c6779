package io.m365connector.app;

import com.azure.core.credential.AzureNamedKeyCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.policy.AddDatePolicy;
import com.azure.core.http.policy.AddHeadersPolicy;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.core.http.policy.HttpLoggingPolicy;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.HttpPolicyProviders;
import com.azure.core.http.policy.RequestIdPolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.http.policy.UserAgentPolicy;
import com.azure.core.util.Configuration;
import com.azure.core.util.CoreUtils;
import com.azure.core.util.logging.ClientLogger;
import com.azure.core.util.tracing.TracerProvider;
import com.azure.data.tables.TableScrubEtagPolicy;
import com.azure.data.tables.implementation.StorageAuthenticationSettings;
import com.azure.data.tables.implementation.StorageConnectionString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Table client's pipeline for a storage connection string with an account key, built as azure-data-tables builds it
 * (its {@code BuilderHelper.buildPipeline}: user agent, request id, headers, providers' policies, retry, date, credential,
 * providers' policies, logging, ETag scrub; the test compares the two lists) with one policy swapped: {@link SharedKeyLitePolicy} for the SDK's {@code TableAzureNamedKeyCredentialPolicy}.
 *
 * <p>Why: the SDK's policy implements only the reactive {@code process}, so every synchronous Table call through it
 * goes {@code process(..).block()}: a cold instance initialises reactor's schedulers and operators (~130 classes) on its
 * first Table read, the notification receiver's included. The connection string is read by the SDK's own parser (the one
 * its builder uses), so the endpoint and the account are the builder's. A connection string with a SAS, or none,
 * is left to the SDK's builder ({@link #forConnectionString} answers empty), and so is a Cosmos DB endpoint.
 */
final class SharedKeyTablePipeline {
    private static final ClientLogger LOGGER = new ClientLogger(SharedKeyTablePipeline.class);
    private static final Map<String, String> SDK_PROPERTIES = CoreUtils.getProperties("azure-data-tables.properties");
    private static final String CLIENT_NAME = SDK_PROPERTIES.getOrDefault("name", "UnknownName");
    private static final String CLIENT_VERSION = SDK_PROPERTIES.getOrDefault("version", "UnknownVersion");
    private static final String TRACING_NAMESPACE = "Microsoft.Tables";
    /** What the SDK's builder looks for in an endpoint to add its Cosmos DB policy (BuilderHelper). */
    private static final String COSMOS_ENDPOINT = "cosmos.azure.";

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
        String endpoint = parsed.getTableEndpoint().getPrimaryUri();
        if (endpoint.contains(COSMOS_ENDPOINT)) {
            return Optional.empty(); // the SDK adds a policy of its own for Cosmos DB's Table API (PATCH as MERGE)
        }
        AzureNamedKeyCredential key = new AzureNamedKeyCredential(auth.getAccount().getName(), auth.getAccount().getAccessKey());
        List<HttpPipelinePolicy> policies = new ArrayList<>(List.of(
                new UserAgentPolicy(null, CLIENT_NAME, CLIENT_VERSION, Configuration.getGlobalConfiguration()),
                new RequestIdPolicy(),
                new AddHeadersPolicy(new HttpHeaders())));
        HttpPolicyProviders.addBeforeRetryPolicies(policies);
        policies.addAll(List.of(retry, new AddDatePolicy(), new SharedKeyLitePolicy(key)));
        HttpPolicyProviders.addAfterRetryPolicies(policies);
        policies.addAll(List.of(new HttpLoggingPolicy(new HttpLogOptions()), new TableScrubEtagPolicy()));
        HttpPipeline pipeline = new HttpPipelineBuilder()
                .httpClient(http)
                .policies(policies.toArray(new HttpPipelinePolicy[0]))
                .tracer(TracerProvider.getDefaultProvider().createTracer(CLIENT_NAME, CLIENT_VERSION, TRACING_NAMESPACE, null))
                .build();
        return Optional.of(new Built(pipeline, endpoint));
    }
}
