package io.m365connector.tokens;

import com.microsoft.aad.msal4j.ITokenCacheAccessAspect;
import com.microsoft.aad.msal4j.ITokenCacheAccessContext;

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
