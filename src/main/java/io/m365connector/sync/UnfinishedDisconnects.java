package io.m365connector.sync;

import com.azure.data.tables.TableClient;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.platform.ExpiringRecords;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Housekeeping's backstop for a disconnect's sync clean-up. The disconnect saves the connection first and cleans up after
 * its answer; storage failing then, or the process dying, left delta links, the item index, the shared mailboxes named
 * and subscription rows (whose notifications the receiver kept queuing) until the web app repeated its DELETE, which it
 * had no reason to do. A disconnect marks the connection's sync state first (SyncStates.markForgetting) and its clean-up
 * removes the mark last: here each mark of a connection disconnected before the cutoff (or gone) is finished, and a mark
 * whose disconnect never happened (the DELETE failed before saving the status) is dropped; a mark whose connection is gone
 * (its removal, nine days after the disconnect, was cut short after the row) is purged: the change feed too. Only marks are read, never
 * every syncing connection.
 */
public final class UnfinishedDisconnects implements ExpiringRecords {
    private static final Logger LOG = Logger.getLogger(UnfinishedDisconnects.class.getName());

    private final SyncStates states;
    private final ConnectionStore connections;
    private final Consumer<String> forget;
    private final Consumer<String> purge;

    /** @param purge for a connection whose row is gone (removed for good): its change feed and the feed's counter too */
    UnfinishedDisconnects(SyncStates states, ConnectionStore connections, Consumer<String> forget, Consumer<String> purge) {
        this.states = Objects.requireNonNull(states, "'states' cannot be null.");
        this.connections = Objects.requireNonNull(connections, "'connections' cannot be null.");
        this.forget = Objects.requireNonNull(forget, "'forget' cannot be null.");
        this.purge = Objects.requireNonNull(purge, "'purge' cannot be null.");
    }

    public static UnfinishedDisconnects of(TableClient syncState, ConnectionStore connections, SyncService sync) {
        return new UnfinishedDisconnects(new SyncStates(syncState), connections, sync::forget, sync::purge);
    }

    /** Finishes the clean-up of connections whose disconnect was marked before {@code cutoff}; returns how many. */
    @Override
    public int deleteCreatedBefore(Instant cutoff) {
        int finished = 0;
        for (Map.Entry<String, Instant> mark : states.markedForgetting().entrySet()) {
            if (mark.getValue() != null && !mark.getValue().isBefore(cutoff)) {
                continue; // recent: the disconnect's own clean-up (or a run it overlapped) may still be at work
            }
            try {
                Optional<Connection> connection = connections.find(mark.getKey());
                if (connection.isEmpty()) {
                    LOG.info("Finishing the sync clean-up of removed connection " + mark.getKey());
                    purge.accept(mark.getKey()); // its removal (RefreshWorker) was cut short after the row went
                    finished++;
                } else if (connection.get().status() == ConnectionStatus.DISCONNECTED) {
                    LOG.info("Finishing the sync clean-up of disconnected connection " + mark.getKey());
                    forget.accept(mark.getKey());
                    finished++;
                } else {
                    states.unmarkForgetting(mark.getKey()); // its DELETE failed before the status was saved: still connected
                }
            } catch (RuntimeException e) {
                LOG.warning("Could not finish the sync clean-up of " + mark.getKey() + " (" + e.getClass().getSimpleName()
                        + "); tried again at the next run");
            }
        }
        return finished;
    }
}
