package io.m365connector.graph;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.tokens.AccessToken;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The token of one {@link GraphSession}: taken once when the session opens, renewed after Graph
 * rejects it (401, with or without a claims challenge), and the check run before every attempt of a
 * call (an Idempotency-Key's lease). Read by the Graph client's token provider and by {@link GraphRetry}.
 */
final class SessionToken {
    /** How a rejected token is replaced ({@code TokenBroker::renewRejected} in production). */
    @FunctionalInterface
    interface Renewal {
        AccessToken renew(AccessToken rejected, Set<String> scopes, Optional<String> claims);
    }

    private final Renewal renewal;
    private final Set<String> scopes;
    private final AtomicInteger renewals = new AtomicInteger();
    private volatile AccessToken token;
    private volatile Runnable beforeEachAttempt = () -> { };

    SessionToken(Renewal renewal, Set<String> scopes, AccessToken first) {
        this.renewal = renewal;
        this.scopes = Set.copyOf(scopes);
        this.token = first;
    }

    String connectionId() {
        return token.connection().id();
    }

    NationalCloud cloud() {
        return token.connection().cloud();
    }

    String userPrincipalName() {
        return token.connection().account().userPrincipalName();
    }

    String value() {
        return token.value();
    }

    /** How many times the token was renewed (a second 401 after a renewal is not retried). */
    int renewals() {
        return renewals.get();
    }

    /**
     * Replaces a token Graph rejected. With claims the refresh carries them; when Entra ID needs the
     * user this throws {@code reauth_required} and the connection becomes needs_reauth.
     */
    synchronized void renew(Optional<String> claims) {
        token = renewal.renew(token, scopes, claims);
        renewals.incrementAndGet();
    }

    void beforeEachAttempt(Runnable check) {
        this.beforeEachAttempt = check;
    }

    void beforeAttempt() {
        beforeEachAttempt.run();
    }
}
