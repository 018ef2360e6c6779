package io.m365connector.idempotency;

import io.m365connector.platform.ExpiringRecords;
import java.util.Optional;

/** Idempotency records. Writes are compare-and-swap on the version read. */
public interface IdempotencyStore extends ExpiringRecords {
    /** Stores a new record; empty when one exists for that key already. */
    Optional<IdempotencyRecord> tryCreate(IdempotencyRecord record);

    Optional<IdempotencyRecord> find(String connectionId, String keyHash);

    /** Saves a record read earlier; throws {@link io.m365connector.connection.ConcurrentUpdateException} if it changed. */
    IdempotencyRecord update(IdempotencyRecord record);

}
