package io.m365connector.graph;

import com.microsoft.graph.core.requests.BaseGraphRequestAdapter;
import com.microsoft.graph.core.requests.GraphClientFactory;
import com.microsoft.kiota.RequestOption;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import com.microsoft.kiota.authentication.BaseBearerTokenAuthenticationProvider;
import com.microsoft.kiota.http.middleware.options.RetryHandlerOption;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;

/**
 * Graph SDK clients on the shared HTTP stack. The SDK's retry handler is switched off: by default
 * it re-sends POSTs on 429/503/504, which for sendMail can mail twice (a 504 may come after the
 * message was accepted). Retries are decided per operation by {@link GraphRetry} instead.
 *
 * <p>A client hands its connection's token only to that cloud's Graph host. When Graph answers a
 * request with a Continuous Access Evaluation claims challenge, the SDK asks the token provider
 * again with the claims (once) and repeats the request: the provider then gets a token that
 * satisfies them through the session token's renewal.
 */
public final class GraphGateway {
    private final OkHttpClient graphHttp;
    private final OkHttpClient plainHttp;

    public GraphGateway(OkHttpClient shared) {
        Objects.requireNonNull(shared, "'shared' cannot be null.");
        RequestOption[] options = {new RetryHandlerOption((delay, attempt, request, response) -> false, 0, 0)};
        // OkHttp would silently re-send a POST whose pooled connection dropped after Graph accepted it:
        // a duplicate mail with no error anywhere. Connection failures surface to GraphRetry instead.
        OkHttpClient.Builder builder = shared.newBuilder().retryOnConnectionFailure(false);
        for (Interceptor interceptor : GraphClientFactory.createDefaultGraphInterceptors(options)) {
            builder.addInterceptor(interceptor);
        }
        this.graphHttp = builder.build();
        // Upload chunks too: an upload session refuses a range it already has, so a silent re-send
        // after a dropped connection turns a finished upload into an error.
        this.plainHttp = shared.newBuilder().retryOnConnectionFailure(false).build();
    }

    /** The shared client without Graph middleware (and without silent re-sends), for pre-authenticated upload URLs. */
    OkHttpClient plain() {
        return plainHttp;
    }

    GraphClient client(SessionToken session) {
        AccessTokenProvider tokens = new AccessTokenProvider() {
            private final AllowedHostsValidator hosts = new AllowedHostsValidator(session.cloud().graphHost());

            @Override
            public String getAuthorizationToken(URI uri, Map<String, Object> context) {
                if (!hosts.isUrlHostValid(uri)) {
                    return "";
                }
                Object claims = context == null ? null : context.get("claims");
                if (claims instanceof String raw && !raw.isBlank()) {
                    session.renew(ClaimsChallenge.decode(raw).or(() -> Optional.of(raw)));
                }
                return session.value();
            }

            @Override
            public AllowedHostsValidator getAllowedHostsValidator() {
                return hosts;
            }
        };
        return new GraphClient(new BaseGraphRequestAdapter(new BaseBearerTokenAuthenticationProvider(tokens),
                GraphClient.parsers(), GraphClient.writers(), graphHttp, null, session.cloud().graphBaseUrl()));
    }
}
