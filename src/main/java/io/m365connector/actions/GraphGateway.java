package io.m365connector.actions;

import com.microsoft.graph.core.requests.BaseGraphRequestAdapter;
import com.microsoft.graph.core.requests.GraphClientFactory;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.RequestOption;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import com.microsoft.kiota.authentication.BaseBearerTokenAuthenticationProvider;
import com.microsoft.kiota.http.middleware.options.RetryHandlerOption;
import io.m365connector.cloud.NationalCloud;
import java.net.URI;
import java.util.Map;
import okhttp3.OkHttpClient;

/**
 * Graph SDK clients on the shared HTTP stack. The SDK's retry handler is switched off: by default
 * it re-sends POSTs on 429/503/504, which for sendMail can mail twice (a 504 may come after the
 * message was accepted). Retries are decided per operation by {@link GraphRetry} instead.
 *
 * <p>Each call gets a client for one connection's token, whose token provider only hands the token
 * to that cloud's Graph host.
 */
public final class GraphGateway {
    private final OkHttpClient graphHttp;
    private final OkHttpClient plainHttp;

    public GraphGateway(OkHttpClient shared) {
        RequestOption[] options = {new RetryHandlerOption((delay, attempt, request, response) -> false, 0, 0)};
        // OkHttp would silently re-send a POST whose pooled connection dropped after Graph accepted it:
        // a duplicate mail with no error anywhere. Connection failures surface to GraphRetry instead.
        OkHttpClient.Builder builder = shared.newBuilder().retryOnConnectionFailure(false);
        for (okhttp3.Interceptor interceptor : GraphClientFactory.createDefaultGraphInterceptors(options)) {
            builder.addInterceptor(interceptor);
        }
        this.graphHttp = builder.build();
        this.plainHttp = shared;
    }

    /** A Graph client for one connection's token in its cloud. */
    public GraphServiceClient client(NationalCloud cloud, String accessToken) {
        AccessTokenProvider tokens = new AccessTokenProvider() {
            private final AllowedHostsValidator hosts = new AllowedHostsValidator(cloud.graphHost());

            @Override
            public String getAuthorizationToken(URI uri, Map<String, Object> context) {
                return hosts.isUrlHostValid(uri) ? accessToken : "";
            }

            @Override
            public AllowedHostsValidator getAllowedHostsValidator() {
                return hosts;
            }
        };
        return new GraphServiceClient(new BaseGraphRequestAdapter(new BaseBearerTokenAuthenticationProvider(tokens),
                cloud.graphBaseUrl(), graphHttp));
    }

    /** The shared client without Graph middleware, for pre-authenticated upload URLs. */
    public OkHttpClient plain() {
        return plainHttp;
    }
}
