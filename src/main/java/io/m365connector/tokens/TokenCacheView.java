package io.m365connector.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.cloud.GraphScopes;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.Json;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Locale;
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
