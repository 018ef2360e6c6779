package io.m365connector.scheduling;

import io.m365connector.actions.graph.GraphGateway;
import io.m365connector.actions.graph.GraphSession;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.tokens.TokenBroker;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens a Graph session with the first of several permission sets the connection holds. Graph accepts
 * more than one permission for most calls (getSchedule: Calendars.ReadBasic, or the calendar feature's
 * Calendars.ReadWrite); each set is tried least privileged first, and the set that worked is
 * remembered per connection so a warm call asks the token cache once.
 */
final class ScopeChoice {
    private static final int MAX_REMEMBERED = 50_000;

    private final GraphGateway graph;
    private final TokenBroker broker;
    private final Map<String, Integer> worked = new ConcurrentHashMap<>();

    ScopeChoice(GraphGateway graph, TokenBroker broker) {
        this.graph = Objects.requireNonNull(graph, "'graph' cannot be null.");
        this.broker = Objects.requireNonNull(broker, "'broker' cannot be null.");
    }

    /** A call's accepted permission sets, least privileged first, and the features that grant each (for the error). */
    record Permissions(String call, List<Set<String>> alternatives, String features) {
    }

    /**
     * A session with the first set the connection holds; {@code missing_permissions} (before any Graph
     * call) naming every accepted set when it holds none.
     */
    GraphSession open(ConnectionRef ref, Permissions permissions) {
        String connectionId = ref.id();
        return openIfHeld(ref, permissions).orElseThrow(() -> new ConnectorException(ProblemCode.MISSING_PERMISSIONS,
                "The connection lacks the permission for " + permissions.call() + ": any of " + describe(permissions.alternatives())
                + ". Reconnect with " + permissions.features() + " (POST /api/connections with connectionId).", connectionId, null));
    }

    /** A session with the first set the connection holds, or empty when it holds none; other refusals are thrown. */
    Optional<GraphSession> openIfHeld(ConnectionRef ref, Permissions permissions) {
        String key = permissions.call() + "\n" + ref.id();
        Integer remembered = worked.get(key);
        if (remembered != null) {
            GraphSession session = tryOpen(ref, permissions.alternatives().get(remembered));
            if (session != null) {
                return Optional.of(session);
            }
        }
        for (int i = 0; i < permissions.alternatives().size(); i++) {
            GraphSession session = tryOpen(ref, permissions.alternatives().get(i));
            if (session != null) {
                remember(key, i);
                return Optional.of(session);
            }
        }
        return Optional.empty();
    }

    /** A session, or null when the connection lacks these scopes; other refusals (not found, needs reauth) are thrown. */
    private GraphSession tryOpen(ConnectionRef ref, Set<String> scopes) {
        try {
            return graph.session(ref, scopes, broker);
        } catch (ConnectorException e) {
            if (e.code() != ProblemCode.MISSING_PERMISSIONS) {
                throw e;
            }
            return null;
        }
    }

    private void remember(String key, int index) {
        if (worked.size() >= MAX_REMEMBERED) {
            worked.clear();
        }
        worked.put(key, index);
    }

    private static String describe(List<Set<String>> alternatives) {
        return String.join(" | ", alternatives.stream().map(s -> String.join(" + ", s)).toList());
    }
}
