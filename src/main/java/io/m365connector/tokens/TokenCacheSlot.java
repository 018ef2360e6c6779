package io.m365connector.tokens;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.aad.msal4j.ITokenCacheAccessAspect;
import com.microsoft.aad.msal4j.ITokenCacheAccessContext;
import io.m365connector.platform.Json;

/**
 * One connection's MSAL token cache for the length of one operation: MSAL loads it before every
 * cache access and hands back the changed cache after, which is then sealed and stored with the
 * row's ETag. The plaintext lives only in memory, only in this object.
 */
public final class TokenCacheSlot implements ITokenCacheAccessAspect {
    private volatile String data;
    private volatile boolean changed;

    public TokenCacheSlot(String initial) {
        this.data = initial;
    }

    public static TokenCacheSlot empty() {
        return new TokenCacheSlot(null);
    }

    @Override
    public void beforeCacheAccess(ITokenCacheAccessContext context) {
        if (data != null) {
            context.tokenCache().deserialize(data);
        }
    }

    @Override
    public void afterCacheAccess(ITokenCacheAccessContext context) {
        if (context.hasCacheChanged()) {
            data = context.tokenCache().serialize();
            changed = true;
        }
    }

    /** The serialized cache (plaintext), or null if MSAL never wrote one. */
    public String data() {
        return data;
    }

    /**
     * The serialized cache as it is stored: without ID tokens; null if MSAL never wrote one. Table Storage keeps at most
     * 64 KiB in the row's property, and an ID token alone may be larger (an app registration emitting the groups claim as
     * display names puts up to 200 names of up to 256 characters in it: a sign-in would never finish, a refresh's tokens
     * never be stored). Nothing reads a stored ID token: the callback takes the claims from MSAL's result, and MSAL answers
     * silently without one. Access tokens stay, expired or not: MSAL judges them by its own clock, and each scope set has
     * one entry, replaced when renewed. A cache that is not the JSON MSAL writes is stored as it is.
     */
    public String storable() {
        if (data == null) {
            return null;
        }
        JsonNode cache;
        try {
            cache = Json.MAPPER.readTree(data);
        } catch (JsonProcessingException e) {
            return data;
        }
        if (!(cache instanceof ObjectNode root) || !(root.get("IdToken") instanceof ObjectNode idTokens) || idTokens.isEmpty()) {
            return data;
        }
        idTokens.removeAll(); // the section stays: MSAL reads each section as a map
        return Json.write(root);
    }

    /** True when MSAL stored new tokens (a redemption or a refresh) during this operation. */
    public boolean changed() {
        return changed;
    }

    /** Whether the cache holds a refresh token (Entra ID issues none when offline_access was not granted). */
    public boolean holdsRefreshToken() {
        return TokenCacheView.of(data).hasRefreshToken();
    }

    @Override
    public String toString() {
        return "TokenCacheSlot[changed=" + changed + ", data=REDACTED]";
    }
}
