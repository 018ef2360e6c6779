package io.m365connector.connection;

import io.m365connector.cloud.NationalCloud;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One web-app user's link to one Microsoft 365 account, as stored. Immutable; change it with
 * {@link #toBuilder()}. {@code version} is the row version it was read at (null for a new connection): saving it back succeeds only
 * if nobody wrote the row meanwhile, so a rotated refresh token is never overwritten by a stale copy.
 *
 * @param account      the signed-in user (tenant id + object id identify them; the UPN is for display), null while pending
 * @param features     what the web app asked for
 * @param grantedScopes the Graph permissions the user actually granted
 * @param tokens       the encrypted MSAL token cache, null when there are no tokens (pending, disconnected)
 * @param refresh      when tokens expire and are next refreshed, and how the last refresh went
 * @param proof        the sign-in whose tokens it holds, and whether the web app proved that sign-in (null before one, and
 *                     on rows from before proofs were kept)
 * @param disconnects  how many DELETEs the connection has had (a repeated one too): a sign-in started before one of them
 *                     does not connect it (SignInGuard)
 */
public record Connection(
        String id,
        String ownerId,
        NationalCloud cloud,
        ConnectionStatus status,
        Account account,
        Set<Feature> features,
        Set<String> grantedScopes,
        SealedTokens tokens,
        RefreshState refresh,
        Instant createdAt,
        Instant updatedAt,
        SignInProof proof,
        int disconnects,
        RowVersion version) {

    private static final Pattern ID = Pattern.compile("con_[0-9a-f]{32}");

    public Connection {
        requireValidId(id);
        Objects.requireNonNull(ownerId, "'ownerId' cannot be null.");
        Objects.requireNonNull(cloud, "'cloud' cannot be null.");
        Objects.requireNonNull(status, "'status' cannot be null.");
        Objects.requireNonNull(createdAt, "'createdAt' cannot be null.");
        Objects.requireNonNull(updatedAt, "'updatedAt' cannot be null.");
        features = features == null || features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
        TreeSet<String> scopes = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        if (grantedScopes != null) {
            scopes.addAll(grantedScopes);
        }
        grantedScopes = Collections.unmodifiableSet(scopes);
        refresh = refresh == null ? RefreshState.NONE : refresh;
    }

    /**
     * How long a disconnected connection, or a new one whose sign-in never finished, is kept after its last change before the
     * maintenance worker removes it with what sync kept: its due time ({@link RefreshState#nextRefreshDue}) is then its
     * removal. A day longer than the change feed keeps changes (8 days), so the web app reads the last ones, and the
     * disconnect's status, before the row goes.
     */
    public static final Duration REMOVED_AFTER = Duration.ofDays(9);

    /** A disconnected connection, or a new one nobody signed in to: removed {@link #REMOVED_AFTER} its last change. */
    public boolean removable() {
        return status == ConnectionStatus.DISCONNECTED || (status == ConnectionStatus.PENDING && account == null);
    }

    /** A new random connection id: {@code con_} and 128 random bits in hex. */
    public static String newId() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return "con_" + HexFormat.of().formatHex(bytes);
    }

    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    private static void requireValidId(String id) {
        if (!isValidId(id)) {
            throw new IllegalArgumentException("A connection id looks like con_ followed by 32 hex digits.");
        }
    }

    /** Scopes the features need that the user did not grant (case-insensitive, as Entra ID compares them). */
    public Set<String> missingScopes() {
        Set<String> missing = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        missing.addAll(Feature.scopesOf(features));
        missing.removeAll(grantedScopes);
        return missing;
    }

    /** Scopes for a maintenance refresh: the features' granted ones (any granted scope renews the refresh token). */
    public Set<String> scopesToRefresh() {
        Set<String> granted = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        granted.addAll(grantedScopes);
        Set<String> needed = Feature.scopesOf(features);
        needed.retainAll(granted);
        return needed.isEmpty() ? granted : needed;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder(String id, String ownerId, NationalCloud cloud, Instant now) {
        return new Builder(new Connection(id, ownerId, cloud, ConnectionStatus.PENDING, null, Set.of(), Set.of(),
                null, RefreshState.NONE, now, now, null, 0, null));
    }

    /** Who signed in: identified by tenant id + object id, never by UPN or email. */
    public record Account(String tenantId, String userObjectId, String userPrincipalName) {
        public Account {
            Objects.requireNonNull(tenantId, "'tenantId' cannot be null.");
            Objects.requireNonNull(userObjectId, "'userObjectId' cannot be null.");
        }
    }

    /**
     * Token timing and refresh health.
     *
     * @param accessTokenExpiresAt when the cached access token expires
     * @param nextRefreshDue       when the maintenance sweep should refresh it next (null: never, e.g. needs_reauth); for a
     *                             {@link #removable()} connection, when the sweep removes it
     * @param lastRefreshAt        the last successful token acquisition
     * @param lastErrorCode        the stable code of the last failure, null after a success
     * @param failureCount         consecutive failures, 0 after a success
     * @param lastUsedAt           when an action last used the connection (recorded at most every few minutes)
     */
    public record RefreshState(Instant accessTokenExpiresAt, Instant nextRefreshDue, Instant lastRefreshAt,
                               String lastErrorCode, int failureCount, Instant lastUsedAt) {
        public static final RefreshState NONE = new RefreshState(null, null, null, null, 0, null);

        public RefreshState withNextRefreshDue(Instant due) {
            return new RefreshState(accessTokenExpiresAt, due, lastRefreshAt, lastErrorCode, failureCount, lastUsedAt);
        }
    }

    /**
     * The completion code of the sign-in whose tokens the connection holds (its SHA-256), the login session it came from
     * (its SHA-256; null on proofs from before it was kept) and when the web app proved it ({@code POST
     * /connections/{id}/completion}; null until then). Every sign-in replaces it: a code proves only the sign-in that
     * handed it out, and a connection is proved again after each sign-in.
     */
    public record SignInProof(String completionHash, String sessionHash, Instant confirmedAt) {
        public SignInProof {
            Objects.requireNonNull(completionHash, "'completionHash' cannot be null.");
        }

        /** The same sign-in with another code for its browser (a callback it repeated), proved or not as before. */
        public SignInProof reissued(String newCompletionHash) {
            return new SignInProof(newCompletionHash, sessionHash, confirmedAt);
        }

        public boolean confirmed() {
            return confirmedAt != null;
        }

        @Override
        public String toString() {
            return "SignInProof[confirmedAt=" + confirmedAt + "]";
        }
    }

    public static final class Builder {
        private String id;
        private String ownerId;
        private NationalCloud cloud;
        private ConnectionStatus status;
        private Account account;
        private Set<Feature> features;
        private Set<String> grantedScopes;
        private SealedTokens tokens;
        private RefreshState refresh;
        private Instant createdAt;
        private Instant updatedAt;
        private SignInProof proof;
        private int disconnects;
        private RowVersion version;

        private Builder(Connection c) {
            id = c.id;
            ownerId = c.ownerId;
            cloud = c.cloud;
            status = c.status;
            account = c.account;
            features = c.features;
            grantedScopes = c.grantedScopes;
            tokens = c.tokens;
            refresh = c.refresh;
            createdAt = c.createdAt;
            updatedAt = c.updatedAt;
            proof = c.proof;
            disconnects = c.disconnects;
            version = c.version;
        }

        public Builder ownerId(String value) { ownerId = value; return this; }
        public Builder cloud(NationalCloud value) { cloud = value; return this; }
        public Builder status(ConnectionStatus value) { status = value; return this; }
        public Builder account(Account value) { account = value; return this; }
        public Builder features(Set<Feature> value) { features = value; return this; }
        public Builder grantedScopes(Set<String> value) { grantedScopes = value; return this; }
        public Builder tokens(SealedTokens value) { tokens = value; return this; }
        public Builder refresh(RefreshState value) { refresh = value; return this; }
        public Builder updatedAt(Instant value) { updatedAt = value; return this; }
        public Builder proof(SignInProof value) { proof = value; return this; }
        public Builder disconnects(int value) { disconnects = value; return this; }
        public Builder version(RowVersion value) { version = value; return this; }

        public Connection build() {
            return new Connection(id, ownerId, cloud, status, account, features, grantedScopes, tokens, refresh,
                    createdAt, updatedAt, proof, disconnects, version);
        }
    }
}
