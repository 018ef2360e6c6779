package io.m365connector.idempotency;

import java.time.Instant;
import java.util.Optional;

/** Idempotency records. Writes are compare-and-swap on the version read. */
public interface IdempotencyStore {
    /** Stores a new record; empty when one exists for that key already. */
    Optional<IdempotencyRecord> tryCreate(IdempotencyRecord record);

    Optional<IdempotencyRecord> find(String connectionId, String keyHash);

    /** Saves a record read earlier; throws {@link io.m365connector.connection.ConcurrentUpdateException} if it changed. */
    IdempotencyRecord update(IdempotencyRecord record);

    /** Removes records created before {@code cutoff} (housekeeping); returns how many. */
    int deleteCreatedBefore(Instant cutoff);
}
