package io.m365connector.platform.http;

import com.azure.core.http.HttpClient;
import com.azure.core.http.okhttp.OkHttpAsyncHttpClientBuilder;
import io.m365connector.platform.Settings.HttpSettings;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/**
 * The single outbound HTTP stack: one OkHttp client (timeouts, proxy, user agent, redacting logs)
 * shared by MSAL4J (through {@link MsalHttpClient}), the Graph SDK (its middleware is added on a
 * {@code newBuilder()} of this client, which shares the connection pool) and the Azure SDK (through
 * azure-core-http-okhttp). One stack means one connection pool, one TLS setup and one place to
 * route or proxy traffic; it also halves cold start compared with Netty beside OkHttp.
 */
public final class OutboundHttp {
    private static final String USER_AGENT = "m365-connector/" + version();
    static final int MAX_IDLE_CONNECTIONS = 64;

    private final OkHttpClient client;
    private volatile HttpClient azureClient;

    public OutboundHttp(HttpSettings settings, HostRouting routing) {
        Objects.requireNonNull(settings, "'settings' cannot be null.");
        Objects.requireNonNull(routing, "'routing' cannot be null.");
        OkHttpClient.Builder builder = new OkHttpClient.Builder()
                // Table Storage speaks HTTP/1.1: each concurrent call needs its own connection. OkHttp's
                // default keeps 5 idle, so a burst of queue workers would reopen (and re-handshake TLS)
                // most connections on every call; keep enough for the instance's concurrency.
                .connectionPool(new ConnectionPool(MAX_IDLE_CONNECTIONS, 5, TimeUnit.MINUTES))
                .connectTimeout(settings.timeout())
                .readTimeout(settings.timeout())
                .writeTimeout(settings.timeout())
                // The whole call, not only each read: an answer that trickles in must not outlast the
                // Idempotency-Key lease, which is sized from this timeout.
                .callTimeout(settings.timeout())
                // Redirects are not followed: Entra ID, Graph and Key Vault do not redirect API calls,
                // and following one could carry a bearer token to another host.
                .followRedirects(false)
                .followSslRedirects(false)
                .addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
                        .header("User-Agent", userAgent(chain.request().header("User-Agent")))
                        .build()))
                .addInterceptor(new HttpLogInterceptor());
        settings.proxy().ifPresent(proxy -> builder.proxy(
                new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(proxy.getHost(), proxy.getPort()))));
        routing.applyTo(builder);
        this.client = builder.build();
    }

    /** The shared OkHttp client. Derive variants with {@code newBuilder()} so the pool is shared. */
    public OkHttpClient okHttp() {
        return client;
    }

    /** The same stack as an Azure SDK HttpClient (Tables, Queues, Key Vault, azure-identity). */
    public HttpClient azureHttpClient() {
        HttpClient result = azureClient;
        if (result == null) {
            synchronized (this) {
                if (azureClient == null) {
                    azureClient = new OkHttpAsyncHttpClientBuilder(client).build();
                }
                result = azureClient;
            }
        }
        return result;
    }

    private static String userAgent(String fromSdk) {
        return fromSdk == null || fromSdk.isBlank() ? USER_AGENT : USER_AGENT + " " + fromSdk;
    }

    private static String version() {
        String v = OutboundHttp.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
