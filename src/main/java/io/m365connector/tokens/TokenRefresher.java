package io.m365connector.tokens;

import com.microsoft.aad.msal4j.ClaimsRequest;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAccount;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.MsalClientException;
import com.microsoft.aad.msal4j.RefreshTokenParameters;
import com.microsoft.aad.msal4j.SilentParameters;
import io.m365connector.connection.Connection;
import io.m365connector.connection.SealedTokens;
import io.m365connector.crypto.TokenDecryptionException;
import io.m365connector.crypto.TokenSealer;
import io.m365connector.platform.ProblemCode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Gets an access token out of one connection's sealed MSAL cache: opens it, lets MSAL answer from
 * it or redeem the refresh token, and seals the cache again when MSAL changed it. It writes nothing:
 * storing the renewed cache is {@link RefreshOutcomes}' job. Failures come out as {@link Failed}
 * carrying a classified {@link RefreshFailure}.
 */
final class TokenRefresher {
    /** MSAL treats a cached access token as expired this long before it does (its own buffer). */
    private static final Duration MSAL_EXPIRY_BUFFER = Duration.ofMinutes(5);

    private final TokenSealer sealer;
    private final MsalClients msal;
    private final Clock clock;

    TokenRefresher(TokenSealer sealer, MsalClients msal, Clock clock) {
        this.sealer = Objects.requireNonNull(sealer, "'sealer' cannot be null.");
        this.msal = Objects.requireNonNull(msal, "'msal' cannot be null.");
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
    }

    /** An access token, and the re-sealed cache when MSAL changed it (null when it answered from the cache). */
    record Acquired(String accessToken, Instant expiresAt, SealedTokens renewedTokens) {
        boolean renewed() {
            return renewedTokens != null;
        }

        @Override
        public String toString() {
            return "Acquired[expiresAt=" + expiresAt + ", renewed=" + renewed() + "]";
        }
    }

    /** Getting a token failed; {@link #failure()} says why and what it means. */
    static final class Failed extends RuntimeException {
        private final transient RefreshFailure failure;

        Failed(RefreshFailure failure) {
            super(failure.code().code() + ": " + failure.summary(), null, false, false);
            this.failure = failure;
        }

        RefreshFailure failure() {
            return failure;
        }
    }

    /**
     * The cached access token when one covers the scopes, otherwise a refresh. A token MSAL would answer with from the
     * cache is read from it directly ({@link TokenCacheView#storedAccessToken}): a cold instance's first action then
     * never builds an MSAL client (~110 classes and its cache's parsing, BENCHMARKS.md, issue 24).
     */
    Acquired cachedOrRefreshed(Connection c, Set<String> scopes) {
        String data = openData(c);
        Instant now = clock.instant();
        Optional<TokenCacheView.StoredToken> stored = msal.enabledRegistration(c.cloud()).flatMap(registration ->
                TokenCacheView.of(data).storedAccessToken(scopes, c.cloud(), new TokenCacheView.Owner(homeAccountId(c), registration.clientId(),
                        authorityTenant(c, registration.defaultTenant()), c.cloud().authorityHost()), now.plus(MSAL_EXPIRY_BUFFER), now));
        if (stored.isPresent()) {
            return new Acquired(stored.get().secret(), stored.get().expiresAt(), null);
        }
        return run(c, new TokenCacheSlot(data), (app, account, cache) -> {
            // Ask in the form the cache holds the scopes (short or fully qualified), or MSAL misses a valid token.
            Set<String> form = cache.cachedFormOf(scopes, c.cloud(), clock.instant().plus(MSAL_EXPIRY_BUFFER)).orElse(scopes);
            return app.acquireTokenSilently(SilentParameters.builder(form, account).build()).get();
        });
    }

    /** A new access token from the refresh token, whatever the cache holds (the cached one was rejected). */
    Acquired refreshed(Connection c, Set<String> scopes) {
        return run(c, new TokenCacheSlot(openData(c)), (app, account, cache) ->
                app.acquireTokenSilently(SilentParameters.builder(scopes, account).forceRefresh(true).build()).get());
    }

    /**
     * A new access token that satisfies a claims challenge. MSAL4J 1.26 drops the claims of a silent
     * request when it redeems the refresh token, so the refresh token is redeemed directly, with them.
     */
    Acquired refreshedWithClaims(Connection c, Set<String> scopes, String claims) {
        return run(c, new TokenCacheSlot(openData(c)), (app, account, cache) -> {
            String refreshToken = cache.refreshToken().orElseThrow(() ->
                    new MsalClientException("no refresh token in the stored cache", "no_refresh_token_in_cache"));
            return app.acquireToken(RefreshTokenParameters.builder(scopes, refreshToken)
                    .claims(ClaimsRequest.formatAsClaimsRequest(claims)).build()).get();
        });
    }

    @FunctionalInterface
    private interface Acquisition {
        IAuthenticationResult run(ConfidentialClientApplication app, IAccount account, TokenCacheView cache) throws Exception;
    }

    /**
     * Where a connection's tokens are refreshed. With a multi-tenant default ({@code organizations}, {@code common}) there,
     * as sign-in did: MSAL files access tokens under the authority's tenant, so another would miss the sign-in's token once.
     * With one tenant configured, at the user's own tenant: a connection whose web app named another one ({@code tenant} in
     * POST /connections) signed in there, and its refresh token redeemed at the configured tenant answered AADSTS50020.
     */
    static String authorityTenant(Connection c, String configured) {
        boolean anyTenant = configured.equalsIgnoreCase("organizations") || configured.equalsIgnoreCase("common");
        return anyTenant || c.account() == null ? configured : c.account().tenantId();
    }

    private Acquired run(Connection c, TokenCacheSlot slot, Acquisition acquisition) {
        IAuthenticationResult result;
        try {
            ConfidentialClientApplication app = msal.newApp(c.cloud(), authorityTenant(c, msal.registration(c.cloud()).defaultTenant()), slot);
            result = acquisition.run(app, accountOf(app, c), TokenCacheView.of(slot.data()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed(new RefreshFailure(RefreshFailure.Kind.TRANSIENT, ProblemCode.TEMPORARILY_UNAVAILABLE, Optional.empty(),
                    "interrupted"));
        } catch (Exception e) {
            throw new Failed(msal.attribute(c.cloud(), RefreshFailure.classify(e), clock.instant()));
        }
        SealedTokens renewed = slot.changed() ? sealer.seal(c.id(), c.cloud(), slot.storable()) : null;
        return new Acquired(result.accessToken(), result.expiresOnDate().toInstant(), renewed);
    }

    /** The connection's MSAL cache, decrypted (plaintext only in memory, for this operation). */
    private String openData(Connection c) {
        try {
            return sealer.open(c.id(), c.cloud(), c.tokens());
        } catch (TokenDecryptionException e) {
            throw new Failed(new RefreshFailure(RefreshFailure.Kind.PERMANENT, ProblemCode.TOKEN_UNREADABLE, Optional.empty(),
                    "stored tokens failed authentication"));
        }
    }

    /** MSAL's home account id of the connection's user: object id and home tenant. */
    private static String homeAccountId(Connection c) {
        return c.account().userObjectId() + "." + c.account().tenantId();
    }

    private static IAccount accountOf(ConfidentialClientApplication app, Connection c) throws Exception {
        Set<IAccount> accounts = app.getAccounts().get();
        String wanted = homeAccountId(c);
        for (IAccount account : accounts) {
            if (wanted.equalsIgnoreCase(account.homeAccountId())) {
                return account;
            }
        }
        if (accounts.size() == 1) {
            return accounts.iterator().next();
        }
        throw new MsalClientException("no account for the connection in its cache", "no_account_in_cache");
    }
}
