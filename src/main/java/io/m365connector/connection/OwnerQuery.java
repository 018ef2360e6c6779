package io.m365connector.connection;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One page of one owner's connections.
 *
 * @param statuses only these (empty: every status)
 * @param pageSize at most this many connections, 1 to {@value #MAX_PAGE_SIZE}
 * @param after    where the previous page stopped (the store's position), or null for the first page
 */
public record OwnerQuery(String ownerId, Set<ConnectionStatus> statuses, int pageSize, String after) {
    public static final int MAX_PAGE_SIZE = 100;

    public OwnerQuery {
        Objects.requireNonNull(ownerId, "'ownerId' cannot be null.");
        statuses = statuses == null || statuses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(statuses));
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("'pageSize' must be 1 to " + MAX_PAGE_SIZE + ".");
        }
    }

    boolean admits(Connection connection) {
        return connection.ownerId().equals(ownerId) && (statuses.isEmpty() || statuses.contains(connection.status()));
    }
}
