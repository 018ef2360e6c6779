package io.m365connector.testing;

import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.connection.Connection.RefreshState;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionPage;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.connection.DueConnection;
import io.m365connector.connection.OwnerQuery;
import io.m365connector.connection.RowVersion;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ConnectionStore} in memory for unit tests of policy code: the same compare-and-swap
 * contract as the Table store (an update of a version that is no longer current fails with
 * {@link ConcurrentUpdateException}), without Azurite.
 */
public final class InMemoryConnectionStore implements ConnectionStore {
    private final Map<String, Connection> rows = new ConcurrentHashMap<>();
    private final AtomicLong versions = new AtomicLong();

    @Override
    public Optional<Connection> find(String id) {
        return Optional.ofNullable(rows.get(id));
    }

    @Override
    public synchronized Connection create(Connection connection) {
        if (rows.containsKey(connection.id())) {
            throw new ConcurrentUpdateException(connection.id(), "exists");
        }
        return put(connection);
    }

    @Override
    public synchronized Connection update(Connection connection) {
        Connection current = rows.get(connection.id());
        if (current == null || connection.version() == null || !current.version().etag().equals(connection.version().etag())) {
            throw new ConcurrentUpdateException(connection.id(), "changed");
        }
        return put(connection);
    }

    @Override
    public void delete(String id) {
        rows.remove(id);
    }

    @Override
    public synchronized boolean deleteIfUnchanged(Connection read) {
        Connection current = rows.get(read.id());
        if (current == null || !current.version().etag().equals(read.version().etag())) {
            return false;
        }
        rows.remove(read.id());
        return true;
    }

    @Override
    public ConnectionPage listByOwner(OwnerQuery query) {
        List<Connection> all = rows.values().stream()
                .filter(c -> c.ownerId().equals(query.ownerId()) && (query.statuses().isEmpty() || query.statuses().contains(c.status())))
                .sorted(Comparator.comparing(Connection::createdAt).reversed().thenComparing(Connection::id))
                .toList();
        int from = 0;
        if (query.after() != null) {
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).id().equals(query.after())) {
                    from = i + 1;
                }
            }
        }
        List<Connection> page = all.subList(from, Math.min(all.size(), from + query.pageSize()));
        boolean more = from + page.size() < all.size();
        return new ConnectionPage(page, more ? page.get(page.size() - 1).id() : null);
    }

    @Override
    public List<DueConnection> findDue(Instant now, int limit) {
        return rows.values().stream().filter(c -> c.refresh().nextRefreshDue() != null && !c.refresh().nextRefreshDue().isAfter(now))
                .map(c -> new DueConnection(c.id(), c.refresh().nextRefreshDue())).sorted(Comparator.comparing(DueConnection::dueAt))
                .limit(limit).toList();
    }

    @Override
    public void forgetDue(DueConnection entry) {
        // no separate index
    }

    @Override
    public synchronized void recordUse(String id, Instant at) {
        Connection c = rows.get(id);
        if (c != null) {
            RefreshState r = c.refresh();
            rows.put(id, c.toBuilder().refresh(new RefreshState(r.accessTokenExpiresAt(), r.nextRefreshDue(), r.lastRefreshAt(),
                    r.lastErrorCode(), r.failureCount(), at)).build());
        }
    }

    /** Stores a row as if another writer had: its version changes. */
    public synchronized Connection putAsAnotherWriter(Connection connection) {
        return put(connection);
    }

    private Connection put(Connection connection) {
        Connection stored = connection.toBuilder()
                .version(new RowVersion("v" + versions.incrementAndGet(), connection.refresh().nextRefreshDue())).build();
        rows.put(stored.id(), stored);
        return stored;
    }
}
