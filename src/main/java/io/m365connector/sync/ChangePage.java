package io.m365connector.sync;

import java.util.List;

/**
 * A page of a connection's change feed. {@code nextCursor} is where the next read starts: store it
 * once the changes are handled; reading from an older cursor again returns the same changes (at least
 * once, with stable ids). {@code gap}: changes between the cursor and this page's first were removed
 * (the feed keeps them {@link ChangeFeed#RETENTION}) before the reader got them.
 */
public record ChangePage(String connectionId, List<Change> changes, String nextCursor, boolean more, boolean gap) {
}
