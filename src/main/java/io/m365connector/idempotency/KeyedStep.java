package io.m365connector.idempotency;

import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.platform.StorageUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The work's view of its key's record. A claimed step holds the record (and its lease) from the start;
 * an unclaimed one writes it only with the first saved progress, or with the outcome when the work
 * saved none: so a request that runs to its end writes twice (record, outcome), never more.
 */
final class KeyedStep implements Step {
    private final IdempotencyRecord fresh; // what an unclaimed step writes when it claims
    private final IdempotencyStore store;
    private final Clock clock;
    private final Duration lease;
    private IdempotencyRecord record; // null until claimed

    private KeyedStep(IdempotencyRecord fresh, IdempotencyRecord record, IdempotencyStore store, Clock clock, Duration lease) {
        this.fresh = fresh;
        this.record = record;
        this.store = store;
        this.clock = clock;
        this.lease = lease;
    }

    static KeyedStep claimed(IdempotencyRecord record, IdempotencyStore store, Clock clock, Duration lease) {
        return new KeyedStep(null, record, store, clock, lease);
    }

    /** {@code fresh}: the in-progress record this request would create; written with the first progress or the outcome. */
    static KeyedStep unclaimed(IdempotencyRecord fresh, IdempotencyStore store, Clock clock, Duration lease) {
        return new KeyedStep(fresh, null, store, clock, lease);
    }

    @Override
    public synchronized Optional<String> progress() {
        return record == null ? Optional.empty() : Optional.ofNullable(record.progress());
    }

    @Override
    public synchronized void saveProgress(String progress) {
        Instant now = clock.instant();
        if (record == null) {
            record = store.tryCreate(fresh.withLease(now.plus(lease)).withProgress(progress)).orElseThrow(KeyTaken::new);
            return;
        }
        try {
            record = store.update(record.withProgress(progress).withLease(now.plus(lease)));
        } catch (ConcurrentUpdateException e) {
            throw new RequestInProgress(record.connectionId());
        }
    }

    @Override
    public synchronized void keepLease() {
        if (record == null) {
            return; // nothing claimed, nothing to keep: what runs before the claim may run twice
        }
        Instant now = clock.instant();
        if (Duration.between(now, record.leaseUntil()).compareTo(lease.dividedBy(2)) >= 0) {
            return;
        }
        try {
            record = store.update(record.withLease(now.plus(lease)));
        } catch (ConcurrentUpdateException e) {
            throw new RequestInProgress(record.connectionId());
        } catch (StorageUnavailableException e) {
            if (!now.isBefore(record.leaseUntil())) {
                throw e; // the lease has run out: another runner may be working, so this one must not call out
            }
        }
    }

    /** Stores the outcome: on the record, or as a new completed record when nothing was claimed (a request that claimed first keeps its own). */
    synchronized void complete(int status, String body) {
        if (record == null) {
            store.tryCreate(fresh.withLease(clock.instant()).completed(status, body));
            return;
        }
        store.update(record.completed(status, body));
    }

    /** Lets a retry take over at once (the progress stays); nothing to release when nothing was claimed. */
    synchronized void release() {
        if (record != null) {
            store.update(record.withLease(clock.instant()));
        }
    }

    @Override
    public synchronized String toString() {
        return record == null ? "unclaimed " + fresh : String.valueOf(record);
    }
}
