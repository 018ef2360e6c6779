package io.m365connector.graph;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.tokens.AccessToken;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One action's use of Graph for one connection: the token taken once at the start (renewed after
 * Graph rejects it), the Graph client that carries it, and the retry policy every call of it runs
 * under ({@link #call}). Opened by {@link GraphAccess}; not shared between actions.
 */
public final class GraphSession {
    private final SessionToken token;
    private final GraphClient client;
    private final GraphRetry retry;

    GraphSession(GraphGateway gateway, SessionToken.Renewal renewal, GraphRetry retry, Set<String> scopes, AccessToken first) {
        this.token = new SessionToken(renewal, scopes, first);
        this.client = gateway.client(token);
        this.retry = retry;
    }

    public String connectionId() {
        return token.connectionId();
    }

    public NationalCloud cloud() {
        return token.cloud();
    }

    /** The signed-in user's user principal name: their own mailbox in free/busy lookups. */
    public String userPrincipalName() {
        return token.userPrincipalName();
    }

    /** Runs {@code call} with this session's client under its retry policy; its result, or the API's error. */
    public <T> T call(GraphRetry.Safety safety, Function<GraphClient, T> call) {
        return retry.call(token, client, safety, call);
    }

    /** {@link #call} for operations without a result. */
    public void run(GraphRetry.Safety safety, Consumer<GraphClient> call) {
        call(safety, c -> {
            call.accept(c);
            return null;
        });
    }

    /**
     * Runs {@code check} before every attempt of every call of this session: an action under an
     * Idempotency-Key keeps its lease this way (and stops once another runner took it over).
     */
    public void beforeEachAttempt(Runnable check) {
        token.beforeEachAttempt(check);
    }

    /** The session's current token (its renewals replace it). */
    SessionToken token() {
        return token;
    }

    /** Called by whoever sends a request of this session outside {@link #call} (upload chunks), before it leaves. */
    public void beforeAttempt() {
        token.beforeAttempt();
    }
}
