package io.m365connector.graph;

import com.microsoft.graph.serviceclient.GraphServiceClient;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.tokens.AccessToken;
import io.m365connector.tokens.TokenBroker;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One action's use of Graph for one connection: the token taken once at the start, the Graph
 * client that carries it, the renewal after Graph rejects it (401, with or without a claims
 * challenge), and the retry policy every call of it runs under ({@link #call}). Opened by
 * {@link GraphAccess}; not shared between actions.
 */
public final class GraphSession {
    private final Renewal renewal;
    private final GraphRetry retry;
    private final Set<String> scopes;
    private final AtomicInteger renewals = new AtomicInteger();
    private final GraphServiceClient client;
    private volatile AccessToken token;
    private volatile Runnable beforeEachAttempt = () -> { };

    /** How a rejected token is replaced ({@link TokenBroker#renewRejected} in production). */
    @FunctionalInterface
    interface Renewal {
        AccessToken renew(AccessToken rejected, Set<String> scopes, Optional<String> claims);
    }

    GraphSession(GraphGateway gateway, Renewal renewal, GraphRetry retry, Set<String> scopes, AccessToken first) {
        this.renewal = renewal;
        this.retry = retry;
        this.scopes = Set.copyOf(scopes);
        this.token = first;
        this.client = gateway.client(this);
    }

    public String connectionId() {
        return token.connection().id();
    }

    public NationalCloud cloud() {
        return token.connection().cloud();
    }

    /** The signed-in user's user principal name: their own mailbox in free/busy lookups. */
    public String userPrincipalName() {
        return token.connection().account().userPrincipalName();
    }

    /** Runs {@code call} with this session's client under its retry policy; its result, or the API's error. */
    public <T> T call(GraphRetry.Safety safety, Function<GraphServiceClient, T> call) {
        return retry.call(this, safety, call);
    }

    /** {@link #call} for operations without a result. */
    public void run(GraphRetry.Safety safety, Consumer<GraphServiceClient> call) {
        retry.run(this, safety, call);
    }

    /** The Graph client of this session; it always sends the session's current token. */
    public GraphServiceClient client() {
        return client;
    }

    /**
     * Runs {@code check} before every attempt of every call of this session: an action under an
     * Idempotency-Key keeps its lease this way (and stops once another runner took it over).
     */
    public void beforeEachAttempt(Runnable check) {
        this.beforeEachAttempt = check;
    }

    /** Called by whoever sends a request of this session, before it leaves. */
    public void beforeAttempt() {
        beforeEachAttempt.run();
    }

    AccessToken token() {
        return token;
    }

    /** How many times the token was renewed in this session (a second 401 after a renewal is not retried). */
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
}
