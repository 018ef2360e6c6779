package io.m365connector.connection;

import io.m365connector.platform.ConnectorException;
import java.util.function.Consumer;

/**
 * Told when a connection's status changes (connected, needs the user again, recovered,
 * disconnected). Implementations must not throw: a notification problem never fails the change. The one exception is
 * {@link ChangeBlocked} from {@link #beforeChange}: what must precede the change failed, and the change is not saved.
 */
public interface StatusListener {
    StatusListener NONE = (before, after) -> { };

    /**
     * @param before the connection before the change (status PENDING for a first connection); also called
     *               when a reconnect changed only the features
     */
    void statusChanged(Connection before, Connection after);

    /**
     * Called before a change to the status or features is saved, with the row as it will be saved: the place for a listener
     * that must not miss the change to write down what follows from it, since the process may die between the save and
     * {@link #statusChanged}. What it writes must be harmless if the change is then not saved (a lost race, a failure): the
     * change may be called for again, and the sync timer drops an entry whose connection does not sync.
     */
    default void beforeChange(Connection before, Connection after) {
    }

    /**
     * A change that found nothing to change: the user signed in again to an active connection with the same features, or a
     * disconnected connection was disconnected again. No news for the web app, but the chance to finish what the first
     * change began and did not complete (sync enrollment or clean-up: {@code SyncEnrollment}).
     */
    default void unchanged(Connection connection) {
    }

    /** Tells each listener in turn; one that throws does not keep the others from hearing. */
    static StatusListener all(StatusListener... listeners) {
        return new StatusListener() {
            @Override
            public void statusChanged(Connection before, Connection after) {
                each(listener -> listener.statusChanged(before, after));
            }

            @Override
            public void beforeChange(Connection before, Connection after) {
                each(listener -> listener.beforeChange(before, after));
            }

            @Override
            public void unchanged(Connection connection) {
                each(listener -> listener.unchanged(connection));
            }

            private void each(Consumer<StatusListener> call) {
                for (StatusListener listener : listeners) {
                    try {
                        call.accept(listener);
                    } catch (ChangeBlocked blocked) {
                        throw blocked.reason();
                    } catch (RuntimeException ignored) {
                        // listeners must not throw; if one does, the change itself still stands
                    }
                }
            }
        };
    }

    /**
     * Thrown by {@link #beforeChange} when the change must not be saved because what has to precede it failed: the saver gets
     * {@link #reason()} (a connection connected again over the sync state its disconnect could not remove would resume it,
     * and never report what exists as created).
     */
    final class ChangeBlocked extends RuntimeException {
        private final ConnectorException reason;

        public ChangeBlocked(ConnectorException reason) {
            super(reason.getMessage(), reason, false, false);
            this.reason = reason;
        }

        public ConnectorException reason() {
            return reason;
        }
    }
}
