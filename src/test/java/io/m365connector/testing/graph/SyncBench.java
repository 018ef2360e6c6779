package io.m365connector.testing.graph;

import com.microsoft.graph.core.requests.BaseGraphRequestAdapter;
import com.microsoft.graph.core.requests.GraphClientFactory;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import com.microsoft.kiota.authentication.BaseBearerTokenAuthenticationProvider;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.Settings.HttpSettings;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.testing.LocalCloudRouting;
import io.m365connector.testing.MutableClock;
import io.m365connector.testing.entra.FakeEntraId;
import io.m365connector.testing.entra.FakeUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The fake Graph and Entra ID on one test clock, reached by the real Graph SDK over the shared HTTP stack
 * (as {@link FakeGraphTest} builds it). Access tokens live 30 days so that tests can move the clock by hours.
 */
final class SyncBench implements AutoCloseable {
    static final String TENANT = "7a1c6b2e-3d4f-4a5b-8c9d-0e1f2a3b4c5d";
    static final Set<String> MAIL_READ = Set.of("Mail.Read");
    static final Set<String> MAIL = Set.of("Mail.ReadWrite", "Mail.Send");
    static final Set<String> CALENDAR = Set.of("Calendars.ReadWrite");

    final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    final FakeEntraId entra = new FakeEntraId(clock);
    final FakeGraph graph = new FakeGraph(entra, clock);
    final LocalCloudRouting routing = graph.routeInto(entra.routeInto(new LocalCloudRouting()));
    final OutboundHttp http = new OutboundHttp(new HttpSettings(Duration.ofSeconds(5), Optional.empty()), routing);
    final GraphTokens tokens = new GraphTokens(entra, http);

    SyncBench() {
        entra.setAccessTokenLifetime(Duration.ofDays(30));
    }

    FakeUser user(NationalCloud cloud, String upn) {
        return entra.addUser(cloud, TENANT, upn);
    }

    /** A Graph client for {@code user} with these scopes, in the user's cloud. */
    GraphServiceClient sdk(FakeUser user, Set<String> scopes) {
        return sdk(user.cloud(), tokens.accessToken(user, scopes));
    }

    GraphServiceClient sdk(NationalCloud cloud, String accessToken) {
        OkHttpClient.Builder builder = http.okHttp().newBuilder();
        for (Interceptor interceptor : GraphClientFactory.createDefaultGraphInterceptors(new com.microsoft.kiota.RequestOption[0])) {
            builder.addInterceptor(interceptor);
        }
        AccessTokenProvider provider = new AccessTokenProvider() {
            private final AllowedHostsValidator hosts = new AllowedHostsValidator(cloud.graphHost());

            @Override
            public String getAuthorizationToken(URI uri, Map<String, Object> additionalContext) {
                return hosts.isUrlHostValid(uri) ? accessToken : "";
            }

            @Override
            public AllowedHostsValidator getAllowedHostsValidator() {
                return hosts;
            }
        };
        return new GraphServiceClient(new BaseGraphRequestAdapter(new BaseBearerTokenAuthenticationProvider(provider), cloud.graphBaseUrl(),
                builder.build()));
    }

    /** A plain GET (for what the SDK has no builder for, such as an attachment's $value); the caller closes the response. */
    Response get(String url, String accessToken, Map<String, String> headers) {
        Request.Builder request = new Request.Builder().url(url).header("Authorization", "Bearer " + accessToken);
        headers.forEach(request::header);
        try {
            return http.okHttp().newCall(request.build()).execute();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        graph.close();
        entra.close();
    }
}
