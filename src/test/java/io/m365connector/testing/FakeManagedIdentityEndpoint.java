package io.m365connector.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.m365connector.cloud.HostingCloud;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.Json;
import io.m365connector.testing.entra.FakeEntraId;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The managed identity endpoint App Service and Azure Functions give an app (IDENTITY_ENDPOINT and
 * IDENTITY_HEADER, API version 2019-08-01): GET with {@code resource}, {@code api-version} and, for a
 * user-assigned identity, {@code client_id}; header {@code X-IDENTITY-HEADER}. It answers like the
 * platform ({@code access_token}, {@code expires_on} as a string of seconds since the epoch, {@code resource},
 * {@code token_type}, {@code client_id}; learn.microsoft.com/azure/app-service/overview-managed-identity, "REST endpoint
 * reference") with a token the fake Entra ID of the hosting cloud signs: subject the identity's principal id, audience
 * the resource. The token-exchange audiences (federated credentials) get v2.0 tokens, issuer
 * {@code https://<that cloud's login host>/<tenant>/v2.0}; Azure resources (storage, Key Vault) v1.0 tokens, issuer
 * {@code https://sts.windows.net/<tenant>/} ({@code https://sts.chinacloudapi.cn/<tenant>/} in 21Vianet), as Entra ID
 * issues for resources that accept v1.0 tokens (learn.microsoft.com/entra/identity-platform/access-tokens). Without
 * {@code client_id} the app's system-assigned identity answers, if it has one. Plain HTTP on loopback, as on the platform.
 */
public final class FakeManagedIdentityEndpoint implements AutoCloseable {
    private final FakeEntraId entra;
    private final HostingCloud cloud;
    private final String tenantId;
    private final Clock clock;
    private final HttpServer server;
    private final String header = SecretsLedger.remember("idh-" + UUID.randomUUID());
    private final Map<String, String> principals = new ConcurrentHashMap<>();
    private final List<Map<String, String>> requests = new ArrayList<>();
    private volatile Duration lifetime = Duration.ofHours(24);
    private volatile boolean down;
    private volatile int failuresToCome;
    private volatile boolean withoutExpiry;
    private volatile String systemClientId;

    public FakeManagedIdentityEndpoint(FakeEntraId entra, HostingCloud cloud, String tenantId, Clock clock) {
        this.entra = entra;
        this.cloud = cloud;
        this.tenantId = tenantId;
        this.clock = clock;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/msi/token", this::handle);
        server.start();
    }

    /** Assigns a user-assigned identity to the app: its client id and principal (object) id. */
    public FakeManagedIdentityEndpoint assign(String clientId, String principalId) {
        principals.put(clientId, principalId);
        return this;
    }

    /** Gives the app a system-assigned identity: what a request without {@code client_id} gets. */
    public FakeManagedIdentityEndpoint assignSystem(String clientId, String principalId) {
        principals.put(clientId, principalId);
        systemClientId = clientId;
        return this;
    }

    /** Takes the identity away from the app (the platform then answers 400 for it). */
    public void unassign(String clientId) {
        principals.remove(clientId);
    }

    /** The issuer of this cloud's managed identity tokens, for the app registration's federated credential. */
    public String issuer() {
        NationalCloud entraOfCloud = Arrays.stream(NationalCloud.values()).filter(c -> c.azureCloud() == cloud).findFirst()
                .orElseThrow();
        return "https://" + entraOfCloud.authorityHost() + "/" + tenantId + "/v2.0";
    }

    /** The two environment variables the platform sets. */
    public Map<String, String> environment() {
        return Map.of("IDENTITY_ENDPOINT", "http://127.0.0.1:" + server.getAddress().getPort() + "/msi/token", "IDENTITY_HEADER", header);
    }

    /** Tokens issued from now on live this long (a negative value issues expired ones). */
    public void setTokenLifetime(Duration lifetime) {
        this.lifetime = lifetime;
    }

    /** While down, every request gets 500 (the platform's identity service failing). */
    public void setDown(boolean down) {
        this.down = down;
    }

    /** The next {@code count} requests get 500, as while the platform's identity service fails for a moment. */
    public void failNext(int count) {
        failuresToCome = count;
    }

    /** Answers 200 without {@code expires_on} (an answer no client can keep a token by). */
    public void answerWithoutExpiry(boolean without) {
        withoutExpiry = without;
    }

    /** The query parameters and identity header of each request, in order. */
    public synchronized List<Map<String, String>> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        Map<String, String> query = query(exchange.getRequestURI());
        Map<String, String> seen = new LinkedHashMap<>(query);
        seen.put("X-IDENTITY-HEADER", String.valueOf(exchange.getRequestHeaders().getFirst("X-IDENTITY-HEADER")));
        synchronized (this) {
            requests.add(seen);
        }
        String clientId = query.get("client_id") == null ? systemClientId : query.get("client_id");
        if (down || failuresToCome > 0) {
            failuresToCome = Math.max(0, failuresToCome - 1);
            reply(exchange, 500, Map.of("statusCode", 500, "message", "An unexpected error occurred while fetching the AAD Token."));
        } else if (!header.equals(exchange.getRequestHeaders().getFirst("X-IDENTITY-HEADER")) || !"2019-08-01".equals(query.get("api-version"))) {
            reply(exchange, 401, Map.of("statusCode", 401, "message", "Unauthorized request: missing or wrong X-IDENTITY-HEADER or api-version."));
        } else if (clientId == null || !principals.containsKey(clientId)) {
            reply(exchange, 400, Map.of("statusCode", 400, "message",
                    "No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId."));
        } else {
            Instant now = clock.instant();
            String resource = query.get("resource");
            String token = entra.issueManagedIdentityToken(issuerFor(resource), tenantId, principals.get(clientId), clientId, resource,
                    now, now.plus(lifetime));
            // expires_on as the platform says it; MSAL caches the token until shortly before then.
            Instant expiresOn = lifetime.isNegative() ? now.plus(Duration.ofHours(1)) : now.plus(lifetime);
            Map<String, Object> answer = new LinkedHashMap<>(Map.of("access_token", token, "resource", resource, "token_type", "Bearer",
                    "client_id", clientId));
            if (!withoutExpiry) {
                answer.put("expires_on", String.valueOf(expiresOn.getEpochSecond()));
            }
            reply(exchange, 200, answer);
        }
    }

    /** v2.0 tokens for the token-exchange audiences (federated credentials), v1.0 for Azure resources. */
    private String issuerFor(String resource) {
        if (resource != null && resource.startsWith("api://AzureADTokenExchange")) {
            return issuer();
        }
        return (cloud == HostingCloud.CHINA ? "https://sts.chinacloudapi.cn/" : "https://sts.windows.net/") + tenantId + "/";
    }

    private static void reply(HttpExchange exchange, int status, Map<String, Object> body) throws IOException {
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> result = new LinkedHashMap<>();
        if (uri.getRawQuery() == null) {
            return result;
        }
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            result.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return result;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
