package io.m365connector.connect;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Feature;
import io.m365connector.connection.SealedTokens;
import java.net.URI;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One attempt to sign a user in (or to get an administrator's consent), from the login link the web
 * app received to the callback. One-time: once the callback has used it, no code is redeemed with it again (the browser
 * that used it, bringing the same response again, is only sent back to the app).
 *
 * <p>The browser that opens the login link is bound to the session by a cookie; only a hash of it is
 * stored, as is only a hash of the state secret. The PKCE verifier is stored sealed like tokens.
 *
 * @param connectionId null for an admin-consent session
 * @param tenant       the tenant the authorize request names (organizations, common, a GUID or a domain)
 * @param returnUrl    allow-listed URL to send the browser back to, or null for the result page
 * @param connectionUpdatedAt the connection's updatedAt when the session was made (sign-in only; null on sessions from before
 *                     it was kept): a connection disconnected since then is not connected by this session (SignInGuard)
 * @param connectionDisconnects the connection's DELETE count when the session was made (sign-in only; null on sessions
 *                     from before it was kept): a connection disconnected since (also by a DELETE repeated on a connection
 *                     disconnected already) is not connected by this session (SignInGuard)
 * @param version      the row's ETag, null before the first write
 */
public record LoginSession(
        String id,
        Kind kind,
        String connectionId,
        NationalCloud cloud,
        String tenant,
        Set<Feature> features,
        String loginHint,
        String domainHint,
        URI returnUrl,
        Instant createdAt,
        Instant expiresAt,
        Phase phase,
        String browserHash,
        String stateHash,
        String nonce,
        SealedTokens sealedVerifier,
        Instant connectionUpdatedAt,
        Integer connectionDisconnects,
        String version) {
    private static final Pattern TENANT_ID = Pattern.compile("(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");


    public LoginSession {
        Objects.requireNonNull(id, "'id' cannot be null.");
        Objects.requireNonNull(kind, "'kind' cannot be null.");
        Objects.requireNonNull(cloud, "'cloud' cannot be null.");
        Objects.requireNonNull(tenant, "'tenant' cannot be null.");
        Objects.requireNonNull(phase, "'phase' cannot be null.");
        features = features == null || features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
    }

    public enum Kind { SIGN_IN, ADMIN_CONSENT }

    /** CREATED: link issued; STARTED: a browser opened it and went to Microsoft; COMPLETED: the callback used it. */
    public enum Phase { CREATED, STARTED, COMPLETED }

    public boolean expiredAt(Instant now) {
        return now.isAfter(expiresAt);
    }

    /** The session after a browser opened the link: bound to that browser, with fresh state, nonce and verifier. */
    public LoginSession started(String browserHash, String stateHash, String nonce, SealedTokens sealedVerifier, Instant expiresAt) {
        return new LoginSession(id, kind, connectionId, cloud, tenant, features, loginHint, domainHint, returnUrl, createdAt,
                expiresAt, Phase.STARTED, browserHash, stateHash, nonce, sealedVerifier, connectionUpdatedAt, connectionDisconnects, version);
    }

    /** The tenant is a tenant id (not organizations, common or a domain): the one Microsoft must answer for. */
    public boolean tenantIsId() {
        return TENANT_ID.matcher(tenant).matches();
    }

    /** Used up: what only the sign-in needed goes (the nonce, the PKCE verifier, and the hints, a reconnect's being the UPN). */
    public LoginSession completed() {
        return new LoginSession(id, kind, connectionId, cloud, tenant, features, null, null, returnUrl, createdAt,
                expiresAt, Phase.COMPLETED, browserHash, stateHash, null, null, connectionUpdatedAt, connectionDisconnects, version);
    }

    public LoginSession withVersion(String newVersion) {
        return new LoginSession(id, kind, connectionId, cloud, tenant, features, loginHint, domainHint, returnUrl, createdAt,
                expiresAt, phase, browserHash, stateHash, nonce, sealedVerifier, connectionUpdatedAt, connectionDisconnects, newVersion);
    }

    @Override
    public String toString() {
        return "LoginSession[id=" + id + ", kind=" + kind + ", connectionId=" + connectionId + ", cloud=" + cloud.id()
                + ", phase=" + phase + ", expiresAt=" + expiresAt + "]";
    }
}
