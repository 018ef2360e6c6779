package io.m365connector.connection;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where connections live. Updates are compare-and-swap on the version a connection was read at:
 * a stale write fails with {@link ConcurrentUpdateException} and never overwrites.
 */
public interface ConnectionStore {
    Optional<Connection> find(String id);

    /** Stores a new connection; fails with {@link ConcurrentUpdateException} if the id exists. */
    Connection create(Connection connection);

    /** Saves a connection read earlier, only if the stored row is still the version it was read at. */
    Connection update(Connection connection);

    /** Removes the row and its index entries; a missing row is not an error. */
    void delete(String id);

    /**
     * Removes the row as it was read, and then its index entries; false, and nothing removed, when the row changed since
     * (a reconnect finished meanwhile) or is gone.
     */
    boolean deleteIfUnchanged(Connection read);

    /**
     * One page of an owner's connections, newest first. Reads that owner's index entries and their
     * rows, never other owners'; an entry whose connection is gone is skipped.
     */
    ConnectionPage listByOwner(OwnerQuery query);

    /**
     * Connections whose refresh is due at {@code now}, earliest first, at most {@code limit}. Reads
     * only index entries that are due, however many connections are not.
     */
    List<DueConnection> findDue(Instant now, int limit);

    /** Drops an index entry that no longer matches its connection (left behind by an interrupted write). */
    void forgetDue(DueConnection entry);

    /**
     * Records that an action used the connection. Merges that one property without a version check:
     * it never touches tokens, so it cannot overwrite a newer refresh token.
     */
    void recordUse(String id, Instant at);
}
