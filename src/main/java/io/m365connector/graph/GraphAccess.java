package io.m365connector.graph;

import io.m365connector.connection.ConnectionRef;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.tokens.TokenBroker;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import okhttp3.OkHttpClient;

/**
 * The one way features reach Microsoft Graph for a connection: a {@link GraphSession} for what a call
 * needs ({@link Permissions}), with the connection's token taken once and the retry policy attached.
 * The permission check happens here, before any Graph call, against the scopes the connection holds
 * (no Table read when this instance has a token of it), so callers need no broker, gateway or retry
 * policy of their own.
 */
public final class GraphAccess {
    private final GraphGateway gateway;
    private final TokenBroker broker;
    private final GraphRetry retry;

    public GraphAccess(GraphGateway gateway, TokenBroker broker, GraphRetry retry) {
        this.gateway = Objects.requireNonNull(gateway, "'gateway' cannot be null.");
        this.broker = Objects.requireNonNull(broker, "'broker' cannot be null.");
        this.retry = Objects.requireNonNull(retry, "'retry' cannot be null.");
    }

    /**
     * A session with the first permission set the connection holds. Refused before any Graph call when
     * the connection is unknown or another owner's ({@code not_found}), not active ({@code reauth_required}),
     * or holds none of the sets ({@code missing_permissions}, naming every accepted set).
     */
    public GraphSession open(ConnectionRef ref, Permissions needed) {
        if (needed.alternatives().size() == 1) {
            return session(ref, needed.alternatives().get(0)); // the broker names what is missing
        }
        return openIfHeld(ref, needed).orElseThrow(() -> new ConnectorException(ProblemCode.MISSING_PERMISSIONS,
                "The connection lacks the permission for " + needed.call() + ": any of " + needed.describe()
                + ". Reconnect with " + needed.features() + " (POST /api/connections with connectionId).", ref.id(), null));
    }

    /** A session with the first permission set the connection holds, or empty when it holds none; other refusals are thrown. */
    public Optional<GraphSession> openIfHeld(ConnectionRef ref, Permissions needed) {
        return broker.firstHeld(ref, needed.alternatives()).map(scopes -> session(ref, scopes));
    }

    /** The shared client without Graph middleware (and without silent re-sends), for pre-authenticated upload URLs. */
    public OkHttpClient plain() {
        return gateway.plain();
    }

    private GraphSession session(ConnectionRef ref, Set<String> scopes) {
        return new GraphSession(gateway, broker::renewRejected, retry, scopes, broker.tokenFor(ref, scopes));
    }
}
