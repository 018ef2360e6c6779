package io.m365connector.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.cloud.GraphScopes;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.Json;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Read-only look into one connection's serialized MSAL token cache (the shared MSAL cache schema:
 * {@code AccessToken} and {@code RefreshToken} maps of credentials). MSAL answers silently only
 * when the requested scope strings appear in a cached token's {@code target} as they are written
 * there, and Entra ID writes Graph permissions short in one cloud and fully qualified (with either
 * Graph host of the US Government Entra ID) in another. This view finds the form the cache holds,
 * so a valid stored token is used instead of redeeming the refresh token again.
 */
final class TokenCacheView {
    private final JsonNode root;

    private TokenCacheView(JsonNode root) {
        this.root = root;
    }

    static TokenCacheView of(String serializedCache) {
        if (serializedCache == null || serializedCache.isBlank()) {
            return new TokenCacheView(Json.MAPPER.createObjectNode());
        }
        try {
            return new TokenCacheView(Json.MAPPER.readTree(serializedCache));
        } catch (Exception e) {
            return new TokenCacheView(Json.MAPPER.createObjectNode());
        }
    }

    /** Whether the cache holds a refresh token (Entra ID issues none without offline_access). */
    boolean hasRefreshToken() {
        return refreshToken().isPresent();
    }

    /** The refresh token of the cache's account (there is one account per connection). */
    Optional<String> refreshToken() {
        for (Iterator<JsonNode> it = root.path("RefreshToken").elements(); it.hasNext(); ) {
            String secret = it.next().path("secret").asText("");
            if (!secret.isEmpty()) {
                return Optional.of(secret);
            }
        }
        return Optional.empty();
    }

    /**
     * The scope strings, as the cache writes them, of an access token that covers {@code wanted}
     * (short names) and is valid at {@code validAt}; empty when none does.
     */
    Optional<Set<String>> cachedFormOf(Set<String> wanted, NationalCloud cloud, Instant validAt) {
        for (Iterator<JsonNode> it = root.path("AccessToken").elements(); it.hasNext(); ) {
            JsonNode token = it.next();
            long expiresOn = token.path("expires_on").asLong(0);
            if (expiresOn <= validAt.getEpochSecond()) {
                continue;
            }
            Set<String> form = matching(token.path("target").asText(""), wanted, cloud);
            if (form.size() == wanted.size()) {
                return Optional.of(form);
            }
        }
        return Optional.empty();
    }

    /**
     * The hosts MSAL4J files an authority host's tokens under, from its built-in instance metadata ({@code KnownMetadataProvider}
     * in 1.26: instance discovery is off): the global cloud's tokens are written as login.windows.net, its cache alias.
     */
    private static final Map<String, Set<String>> ENVIRONMENTS = Map.of(
            "login.microsoftonline.com", Set.of("login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"),
            "login.microsoftonline.us", Set.of("login.microsoftonline.us", "login.usgovcloudapi.net"),
            "login.partner.microsoftonline.cn", Set.of("login.partner.microsoftonline.cn", "login.chinacloudapi.cn"));

    /** Whose tokens a silent request asks for: MSAL's cache key (the account, the app, the authority's tenant and host). */
    record Owner(String homeAccountId, String clientId, String realm, String authorityHost) {
        Set<String> environments() {
            return ENVIRONMENTS.getOrDefault(authorityHost.toLowerCase(Locale.ROOT), Set.of(authorityHost.toLowerCase(Locale.ROOT)));
        }
    }

    /** An access token read from the cache, and when it expires. */
    record StoredToken(String secret, Instant expiresAt) {
        @Override
        public String toString() {
            return "StoredToken[expiresAt=" + expiresAt + ", secret=REDACTED]";
        }
    }

    /**
     * An access token MSAL4J (1.26) would answer a silent request of {@code owner} for {@code wanted} with from this cache,
     * without a token request; empty when MSAL would go to Entra ID. MSAL's cache lookup takes an access token whose
     * home account, environment (one of the authority host's aliases), realm (the authority's tenant, which MSAL writes in
     * lower case) and client id equal the request's, without an extended cache key, whose target holds the scopes; it
     * answers with it when it expires after {@code validAt} (its 5-minute buffer) and its {@code refresh_on} has not passed
     * (else it refreshes early). An account entry for the owner must exist too (the broker looks the account up before
     * asking). One difference, on purpose: with several tokens of this owner in the cache, MSAL takes any one that matches
     * and refreshes if that one is expiring, where this takes one that is valid.
     */
    Optional<StoredToken> storedAccessToken(Set<String> wanted, NationalCloud cloud, Owner owner, Instant validAt, Instant now) {
        if (!hasAccount(owner.homeAccountId())) {
            return Optional.empty();
        }
        for (Iterator<JsonNode> it = root.path("AccessToken").elements(); it.hasNext(); ) {
            JsonNode token = it.next();
            long refreshOn = token.path("refresh_on").asLong(0);
            String secret = token.path("secret").asText("");
            if (!token.path("credential_type").asText("").equalsIgnoreCase("AccessToken")
                    || !owner.homeAccountId().equals(token.path("home_account_id").asText(null))
                    || !owner.environments().contains(token.path("environment").asText("").toLowerCase(Locale.ROOT))
                    || !owner.realm().equalsIgnoreCase(token.path("realm").asText(""))
                    || !owner.clientId().equals(token.path("client_id").asText(null))
                    || !token.path("ext_cache_key_hash").asText("").isEmpty()
                    || token.path("expires_on").asLong(0) <= validAt.getEpochSecond()
                    || (refreshOn > 0 && refreshOn <= now.getEpochSecond())
                    || secret.isEmpty()
                    || matching(token.path("target").asText(""), wanted, cloud).size() != wanted.size()) {
                continue;
            }
            return Optional.of(new StoredToken(secret, Instant.ofEpochSecond(token.path("expires_on").asLong())));
        }
        return Optional.empty();
    }

    private boolean hasAccount(String homeAccountId) {
        for (Iterator<JsonNode> it = root.path("Account").elements(); it.hasNext(); ) {
            if (homeAccountId.equals(it.next().path("home_account_id").asText(null))) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> matching(String target, Set<String> wanted, NationalCloud cloud) {
        Set<String> form = new LinkedHashSet<>();
        for (String shortName : wanted) {
            for (String word : target.trim().split("\\s+")) {
                Set<String> normalized = GraphScopes.granted(word, cloud);
                if (normalized.size() == 1 && normalized.iterator().next().toLowerCase(Locale.ROOT).equals(shortName.toLowerCase(Locale.ROOT))) {
                    form.add(word);
                    break;
                }
            }
        }
        return form;
    }
}
