package io.m365connector.sync;

import com.azure.data.tables.TableClient;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.platform.ExpiringRecords;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Housekeeping's backstop for a disconnect's sync clean-up. The disconnect saves the connection first and cleans up after
 * its answer; storage failing then, or the process dying, left delta links, the item index, the shared mailboxes named
 * and subscription rows (whose notifications the receiver kept queuing) until the web app repeated its DELETE, which it
 * had no reason to do. Here every connection that still has sync state and was disconnected before the cutoff (or is gone)
 * is forgotten again; the state rows, removed last by the clean-up, mark those unfinished.
 */
public final class UnfinishedDisconnects implements ExpiringRecords {
    private static final Logger LOG = Logger.getLogger(UnfinishedDisconnects.class.getName());

    private final SyncStates states;
    private final ConnectionStore connections;
    private final Consumer<String> forget;

    UnfinishedDisconnects(SyncStates states, ConnectionStore connections, Consumer<String> forget) {
        this.states = Objects.requireNonNull(states, "'states' cannot be null.");
        this.connections = Objects.requireNonNull(connections, "'connections' cannot be null.");
        this.forget = Objects.requireNonNull(forget, "'forget' cannot be null.");
    }

    public static UnfinishedDisconnects of(TableClient syncState, ConnectionStore connections, SyncService sync) {
        return new UnfinishedDisconnects(new SyncStates(syncState), connections, sync::forget);
    }

    /** Finishes the clean-up of connections disconnected before {@code cutoff}; returns how many. */
    @Override
    public int deleteCreatedBefore(Instant cutoff) {
        int finished = 0;
        for (String connectionId : states.connectionsWithState()) {
            Optional<Connection> connection = connections.find(connectionId);
            boolean disconnected = connection.map(c -> c.status() == ConnectionStatus.DISCONNECTED && c.updatedAt().isBefore(cutoff))
                    .orElse(true);
            if (disconnected) {
                LOG.info("Finishing the sync clean-up of disconnected connection " + connectionId);
                forget.accept(connectionId);
                finished++;
            }
        }
        return finished;
    }
}
