package io.m365connector.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpsServer;
import io.m365connector.platform.Json;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A token endpoint for throughput runs: answers every refresh_token grant after {@code latency} with a
 * canned response for one account (an ID token made for the account of a real MSAL cache), doing no signing or
 * bookkeeping, so the benchmark measures the connector rather than the stateful fake Entra ID.
 */
final class CannedTokenEndpoint implements AutoCloseable {
    private final HttpsServer server;
    private final AtomicLong grants = new AtomicLong();

    CannedTokenEndpoint(String msalCacheJson, long latencyMillis) throws Exception {
        JsonNode cache = Json.MAPPER.readTree(msalCacheJson);
        JsonNode account = first(cache.get("Account"));
        String[] home = account.get("home_account_id").asText().split("\\.");
        String clientInfo = base64Url("{\"uid\":\"" + home[0] + "\",\"utid\":\"" + home[1] + "\"}");
        String idTokenJwt = idToken(home[0], home[1], account.get("username").asText(), first(cache.get("RefreshToken")).get("client_id").asText());

        server = CannedHttpsServer.create(1024, 256);
        server.createContext("/", exchange -> {
            try (exchange; InputStream body = exchange.getRequestBody()) {
                body.readAllBytes();
                Thread.sleep(latencyMillis);
                grants.incrementAndGet();
                byte[] answer = ("{\"token_type\":\"Bearer\",\"scope\":\"Mail.Send Mail.ReadWrite openid profile offline_access\","
                        + "\"expires_in\":3599,\"ext_expires_in\":3599,\"access_token\":\"at-" + UUID.randomUUID() + "\","
                        + "\"refresh_token\":\"rt-" + UUID.randomUUID() + "\",\"id_token\":\"" + idTokenJwt + "\","
                        + "\"client_info\":\"" + clientInfo + "\"}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    long grants() {
        return grants.get();
    }

    /**
     * An ID token for the cache's account: the stored cache holds none (TokenCacheSlot#storable), and MSAL reads a token
     * response's ID token only for its claims (it checks no signature), so this one is not signed.
     */
    private static String idToken(String objectId, String tenantId, String username, String clientId) {
        return base64Url("{\"typ\":\"JWT\",\"alg\":\"none\"}") + "." + base64Url("{\"aud\":\"" + clientId
                + "\",\"iss\":\"https://login.microsoftonline.com/" + tenantId + "/v2.0\",\"oid\":\"" + objectId + "\",\"tid\":\""
                + tenantId + "\",\"sub\":\"" + objectId + "\",\"preferred_username\":\"" + username + "\",\"ver\":\"2.0\"}") + ".unsigned";
    }

    private static String base64Url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode first(JsonNode map) {
        Iterator<JsonNode> values = map.elements();
        return values.next();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
