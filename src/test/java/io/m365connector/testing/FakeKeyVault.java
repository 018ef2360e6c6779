package io.m365connector.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

/**
 * A Key Vault over HTTPS speaking the real protocol: an unauthenticated request gets the 401
 * challenge naming the vault resource, an authenticated GET returns a secret by name (latest) or by
 * name and version. Reached by the vault's real host name through {@link LocalCloudRouting}, so the
 * SDK's challenge-resource check runs as in Azure.
 */
public final class FakeKeyVault implements AutoCloseable {
    public static final String VAULT_HOST = "kv-m365-test.vault.azure.net";
    public static final String VAULT_URL = "https://" + VAULT_HOST;

    private final String accessToken = SecretsLedger.remember("kv-token-" + UUID.randomUUID());
    private final WireMockServer server;

    public FakeKeyVault() {
        server = FakeServers.https();
        server.stubFor(any(anyUrl()).atPriority(1).withHeader("Authorization", absent())
                .willReturn(aResponse().withStatus(401)
                        .withHeader("WWW-Authenticate", "Bearer authorization=\"https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001\", "
                                + "resource=\"https://vault.azure.net\"")));
        server.stubFor(any(anyUrl()).atPriority(10)
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"code\":\"SecretNotFound\",\"message\":\"A secret with this name was not found.\"}}")));
    }

    /** Routes the vault's real host name to this fake. */
    public LocalCloudRouting routeInto(LocalCloudRouting routing) {
        return routing.route(VAULT_HOST, server.httpsPort());
    }

    /** The credential the app would get from managed identity: a bearer token this vault accepts. */
    public TokenCredential credential() {
        return request -> Mono.just(new AccessToken(accessToken, OffsetDateTime.now().plusHours(1)));
    }

    /** Adds a version of a secret holding {@code key} in base64; {@code latest} makes it the current version. */
    public void putKey(String name, String version, byte[] key, boolean latest) {
        SecretsLedger.remember(key);
        String body = "{\"value\":\"" + Base64.getEncoder().encodeToString(key) + "\",\"id\":\"" + VAULT_URL + "/secrets/"
                + name + "/" + version + "\",\"attributes\":{\"enabled\":true,\"created\":1700000000,\"updated\":1700000000,"
                + "\"recoveryLevel\":\"Recoverable+Purgeable\"}}";
        String authorized = "Bearer " + accessToken;
        server.stubFor(get(urlPathMatching("/secrets/" + Pattern.quote(name) + "/" + Pattern.quote(version)))
                .atPriority(5).withHeader("Authorization", equalTo(authorized))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body)));
        if (latest) {
            server.stubFor(get(urlPathMatching("/secrets/" + Pattern.quote(name) + "/?")).atPriority(5)
                    .withHeader("Authorization", equalTo(authorized))
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body)));
        }
    }

    /** The current version of a secret holding {@code value}, with an {@code exp} attribute when {@code expires} is not null. */
    public void putSecret(String name, String value, Instant expires) {
        SecretsLedger.remember(value);
        String body = "{\"value\":\"" + value + "\",\"id\":\"" + VAULT_URL + "/secrets/" + name + "/0123456789abcdef0123456789abcdef\","
                + "\"attributes\":{\"enabled\":true,\"created\":1700000000,\"updated\":1700000000,"
                + (expires == null ? "" : "\"exp\":" + expires.getEpochSecond() + ",") + "\"recoveryLevel\":\"Recoverable+Purgeable\"}}";
        server.stubFor(get(urlPathMatching("/secrets/" + Pattern.quote(name) + "/?")).atPriority(5)
                .withHeader("Authorization", equalTo("Bearer " + accessToken))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body)));
    }

    /** Answers reads of {@code name} with 403, as Key Vault does when the identity lacks a role. */
    public void denyAccess(String name) {
        server.stubFor(get(urlPathMatching("/secrets/" + Pattern.quote(name) + "(/.*)?")).atPriority(4)
                .withHeader("Authorization", equalTo("Bearer " + accessToken))
                .willReturn(aResponse().withStatus(403).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"code\":\"Forbidden\",\"message\":\"Caller is not authorized.\"}}")));
    }

    /** How many authenticated reads of a secret (any version) the vault answered. */
    public int readsOf(String name) {
        return server.countRequestsMatching(getRequestedFor(urlPathMatching("/secrets/" + Pattern.quote(name) + "(/.*)?"))
                .withHeader("Authorization", equalTo("Bearer " + accessToken)).build()).getCount();
    }

    public void stop() {
        server.stop();
    }

    public int port() {
        return server.httpsPort();
    }

    @Override
    public void close() {
        server.stop();
    }
}
