package io.m365connector.sync;

import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.graph.GraphAccess;
import java.time.Clock;
import java.util.Optional;
import java.util.logging.Logger;

/** What a disconnect does to sync: the subscriptions deleted at Graph first, then everything sync kept for the connection. */
final class SyncCleanup {
    private static final Logger LOG = Logger.getLogger(SyncCleanup.class.getName());

    private final GraphAccess graph;
    private final ConnectionStore connections;
    private final SyncStores stores;
    private final SubscriptionManager subscriptions;
    private final Clock clock;

    SyncCleanup(GraphAccess graph, ConnectionStore connections, SyncStores stores, SubscriptionManager subscriptions, Clock clock) {
        this.graph = graph;
        this.connections = connections;
        this.stores = stores;
        this.subscriptions = subscriptions;
        this.clock = clock;
    }

    /** Before a removal: only the mark housekeeping finishes a clean-up by (the connection has no token to unsubscribe with). */
    void mark(String connectionId) {
        stores.states().markForgetting(connectionId, clock.instant());
    }

    /** Before a disconnect, while its token still works: the connection's subscriptions are deleted at Graph. */
    void unsubscribe(String connectionId) {
        // First: if the disconnect's clean-up then fails (or the process dies), housekeeping finds this mark and finishes it
        mark(connectionId);
        Optional<Connection> connection = connections.find(connectionId);
        if (connection.isEmpty() || connection.get().status() != ConnectionStatus.ACTIVE) {
            return;
        }
        for (SyncResource resource : SyncResource.values()) {
            if (SyncCapabilities.enabled(connection.get(), SyncTarget.own(resource))) {
                try {
                    subscriptions.drop(connectionId, resource,
                            () -> graph.open(ConnectionRef.of(connectionId, null), resource.permissions(false)));
                } catch (RuntimeException e) {
                    LOG.info("Could not delete the " + resource.id() + " subscription of " + connectionId + " (" + e.getClass().getSimpleName()
                            + "); it expires by itself and its notifications are dropped");
                }
            }
        }
    }

    /**
     * A connection removed for good (maintenance, {@code Connection.REMOVED_AFTER} its disconnect): its changes and the
     * feed's counter too, then {@link #forget}, whose last step removes the mark {@link #mark} made before the row went, so
     * that housekeeping finishes this if it is cut short.
     */
    void purge(String connectionId) {
        stores.feed().deleteAll(connectionId);
        stores.states().deleteFeed(connectionId);
        forget(connectionId);
    }

    /** Everything sync kept for a connection, the forget mark last: on disconnect. */
    void forget(String connectionId) {
        FeedWriter.settleForForget(stores.states(), stores.feed(), connectionId); // first: its rows are read against the index's generation
        for (String mailbox : stores.shared().ever(connectionId)) {
            for (SyncResource resource : SyncResource.values()) {
                stores.index().clear(connectionId, SyncTarget.shared(resource, mailbox));
            }
        }
        for (SyncResource resource : SyncResource.values()) {
            subscriptions.forget(connectionId, resource);
            stores.index().clear(connectionId, SyncTarget.own(resource));
        }
        stores.states().clear(connectionId); // the shared mailboxes' rows go with it
    }
}
