package io.m365connector.sync;

import java.time.Instant;
import java.util.List;

/** Told about changes right after they are in the feed (the webhook copy of the feed), and when a resource's sync stops or recovers. */
@FunctionalInterface
public interface ChangeListener {
    ChangeListener NONE = (connectionId, changes) -> { };

    void appended(String connectionId, List<Change> changes);

    /** The target's sync stopped on a problem a retry cannot fix ({@code code}); told once per stop, after the state says so. */
    default void syncStopped(String connectionId, SyncTarget target, String code, Instant stoppedAt) {
    }

    /** A run succeeded again after the stop at {@code stoppedAt}; told after the state says so. */
    default void syncRecovered(String connectionId, SyncTarget target, Instant stoppedAt) {
    }
}
