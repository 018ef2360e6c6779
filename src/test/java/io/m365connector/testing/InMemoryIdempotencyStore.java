package io.m365connector.testing;

import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.idempotency.IdempotencyRecord;
import io.m365connector.idempotency.IdempotencyStore;
import io.m365connector.platform.StorageUnavailableException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** An {@link IdempotencyStore} in memory with the Table store's contract (insert is the lock, updates compare versions). */
public final class InMemoryIdempotencyStore implements IdempotencyStore {
    private final Map<String, IdempotencyRecord> records = new ConcurrentHashMap<>();
    private final AtomicLong versions = new AtomicLong();
    private int failingUpdates;

    /** The next {@code count} updates fail as Table Storage does when it is unreachable. */
    public synchronized void failNextUpdates(int count) {
        failingUpdates = count;
    }

    @Override
    public synchronized Optional<IdempotencyRecord> tryCreate(IdempotencyRecord record) {
        String key = key(record.connectionId(), record.keyHash());
        if (records.containsKey(key)) {
            return Optional.empty();
        }
        IdempotencyRecord stored = record.withVersion("v" + versions.incrementAndGet());
        records.put(key, stored);
        return Optional.of(stored);
    }

    @Override
    public Optional<IdempotencyRecord> find(String connectionId, String keyHash) {
        return Optional.ofNullable(records.get(key(connectionId, keyHash)));
    }

    @Override
    public synchronized IdempotencyRecord update(IdempotencyRecord record) {
        if (failingUpdates > 0) {
            failingUpdates--;
            throw new StorageUnavailableException("Table Storage (table 'idempotency') failed: test outage.", null);
        }
        String key = key(record.connectionId(), record.keyHash());
        IdempotencyRecord current = records.get(key);
        if (current == null || !current.version().equals(record.version())) {
            throw new ConcurrentUpdateException(record.connectionId(), "changed");
        }
        IdempotencyRecord stored = record.withVersion("v" + versions.incrementAndGet());
        records.put(key, stored);
        return stored;
    }

    @Override
    public synchronized int deleteCreatedBefore(Instant cutoff) {
        int before = records.size();
        records.values().removeIf(r -> r.createdAt().isBefore(cutoff));
        return before - records.size();
    }

    private static String key(String connectionId, String keyHash) {
        return connectionId + "/" + keyHash;
    }
}
