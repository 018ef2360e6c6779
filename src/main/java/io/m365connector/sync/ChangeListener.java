package io.m365connector.sync;

import java.util.List;

/** Told about changes right after they are in the feed (the webhook copy of the feed). */
@FunctionalInterface
public interface ChangeListener {
    ChangeListener NONE = (connectionId, changes) -> { };

    void appended(String connectionId, List<Change> changes);
}
