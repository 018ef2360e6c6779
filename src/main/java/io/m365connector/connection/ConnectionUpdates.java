package io.m365connector.connection;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The one way to change a connection row that others may be writing: read it, apply a change,
 * save with the row's ETag; on a conflict read it again and apply the change to what is there now,
 * up to {@link #MAX_ATTEMPTS} times. The change sees the current row every time, so it never
 * overwrites another writer's tokens with a stale copy.
 */
public final class ConnectionUpdates {
    /** How often a change is re-applied after a conflict before giving up (every retry loop on connection rows uses it). */
    public static final int MAX_ATTEMPTS = 5;

    private final ConnectionStore store;

    public ConnectionUpdates(ConnectionStore store) {
        this.store = Objects.requireNonNull(store, "'store' cannot be null.");
    }

    /** What happened to the row: as it was read last, and as it is now (the same object when the change did nothing). */
    public record Change(Connection before, Connection after) {
        public boolean changed() {
            return before != after;
        }

        public boolean statusChanged() {
            return before.status() != after.status();
        }
    }

    /**
     * Applies {@code change} (current row -> new row, or empty to leave it as it is). Empty when the row
     * does not exist; throws {@link ConcurrentUpdateException} when other writers won {@link #MAX_ATTEMPTS} times.
     */
    public Optional<Change> apply(String connectionId, Function<Connection, Optional<Connection>> change) {
        for (int attempt = 1; ; attempt++) {
            Optional<Connection> read = store.find(connectionId);
            if (read.isEmpty()) {
                return Optional.empty();
            }
            Connection before = read.get();
            Optional<Connection> wanted = change.apply(before);
            if (wanted.isEmpty()) {
                return Optional.of(new Change(before, before));
            }
            try {
                return Optional.of(new Change(before, store.update(wanted.get())));
            } catch (ConcurrentUpdateException e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}
