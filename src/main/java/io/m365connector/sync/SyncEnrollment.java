package io.m365connector.sync;

import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.StatusListener;
import io.m365connector.platform.StorageUnavailableException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts and stops syncing with the connection: a connection that becomes active (or reconnects with a
 * sync feature added) is enrolled; a disconnected one's sync state is removed. A connection that needs
 * the user again keeps its state and resumes from its delta link when it is active again.
 */
public final class SyncEnrollment implements StatusListener {
    private static final Logger LOG = Logger.getLogger(SyncEnrollment.class.getName());
    private final Supplier<SyncTimer> timer;
    private final Supplier<SyncService> sync;

    public SyncEnrollment(Supplier<SyncTimer> timer, Supplier<SyncService> sync) {
        this.timer = timer;
        this.sync = sync;
    }

    /**
     * The schedule's entries go in before the row that makes the connection active: if the process dies between the row
     * and {@link #statusChanged}, the timer's next tick (within 5 minutes) finds them due and starts the first runs.
     * Should the row not be saved after all, the tick finds the connection not syncing and drops them.
     */
    @Override
    public void beforeChange(Connection before, Connection after) {
        if (before.status() == ConnectionStatus.DISCONNECTED && after.status() == ConnectionStatus.ACTIVE) {
            try {
                // a disconnect whose clean-up failed (the web app got its 200 and never repeats it) left delta links, the item
                // index and shared mailboxes behind: a connection connected again starts afresh, as SYNC.md promises
                sync.get().forget(after.id());
            } catch (RuntimeException e) {
                // Saved active, its first run would resume the old delta link and never report what exists as created (and
                // housekeeping would then drop the disconnect's mark): the sign-in fails instead, and the user's next one
                // tries again.
                boolean storage = e instanceof StorageUnavailableException || e instanceof ConcurrentUpdateException;
                LOG.log(storage ? Level.WARNING : Level.SEVERE, "Could not remove the earlier sync state of " + after.id() + " ("
                        + e.getClass().getSimpleName() + "): the sign-in is not saved");
                throw new StatusListener.ChangeBlocked(new StorageUnavailableException("The connection's earlier sync state could not be "
                        + "removed before connecting it again; nothing was saved. Sign in again in a minute.", e));
            }
        }
        try {
            if (startsSyncing(before, after)) {
                timer.get().schedule(after);
            }
        } catch (RuntimeException e) {
            // statusChanged writes the entries again after the row is saved
            LOG.warning("Could not schedule the first sync of " + after.id() + ": " + e.getClass().getSimpleName());
        }
    }

    @Override
    public void statusChanged(Connection before, Connection after) {
        try {
            if (after.status() == ConnectionStatus.DISCONNECTED) {
                sync.get().forget(after.id());
            } else if (startsSyncing(before, after)) {
                timer.get().enroll(after);
            }
        } catch (RuntimeException e) {
            // The entries written before the row still start the first runs at the timer's next tick; logged once here.
            LOG.warning("Could not start or stop syncing " + after.id() + ": " + e.getClass().getSimpleName());
        }
    }

    /**
     * A sign-in that changed nothing enrolls what never ran: an enrollment whose schedule writes failed (before and after the
     * connection became active) left those targets unscheduled, and the timer enrolls nothing by itself. A repeated
     * disconnect removes the sync state again: a clean-up that failed the first time is finished by the web app's retry.
     */
    @Override
    public void unchanged(Connection connection) {
        try {
            if (connection.status() == ConnectionStatus.ACTIVE) {
                timer.get().enrollNeverRun(connection);
            } else if (connection.status() == ConnectionStatus.DISCONNECTED) {
                sync.get().forget(connection.id());
            }
        } catch (RuntimeException e) {
            LOG.warning("Could not start or stop syncing " + connection.id() + ": " + e.getClass().getSimpleName());
        }
    }

    private static boolean startsSyncing(Connection before, Connection after) {
        return after.status() == ConnectionStatus.ACTIVE
                && (before.status() != ConnectionStatus.ACTIVE || !before.features().equals(after.features()));
    }
}
