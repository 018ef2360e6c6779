package io.m365connector.idempotency;

import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Json;
import io.m365connector.platform.Problem;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Secrets;
import io.m365connector.platform.Sleeper;
import io.m365connector.platform.StorageUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Exactly-once execution of POST actions under an Idempotency-Key (per connection):
 * <ul>
 *   <li>first request: creates an in-progress record holding a lease, does the work, stores the outcome;</li>
 *   <li>same key and same body afterwards: the stored outcome, without calling Graph;</li>
 *   <li>same key, different body: 422 idempotency_key_reused;</li>
 *   <li>same key while the first still runs: waits for its outcome (up to {@code waitForOther}), then 409 request_in_progress;</li>
 *   <li>a runner that died (lease expired): the next request with the key takes over and resumes from the
 *       progress the work saved.</li>
 * </ul>
 * Final failures (a request Graph refused for good) are stored like successes; failures worth
 * retrying (throttling, outages, reconnect needed) and {@link Resumable} ones release the lease, so a
 * retry with the same key resumes from the saved progress.
 *
 * <p>The process may die at any instruction. The work therefore saves its progress <em>before</em>
 * every call a retry must not repeat blindly (the "about to be made" record), and a runner that
 * takes over reads it and looks before acting again. The lease is never allowed to run out under a
 * working runner: {@link Step#keepLease()} renews it before each outbound call while less than half of
 * it is left, and the lease is sized from the outbound timeout (see {@link #leaseFor}) so that one call
 * with its retries always fits in half of it. A runner whose record was taken over stops at its next
 * write ({@code request_in_progress}) before it makes another call that cannot be repeated.
 */
public final class Idempotency {
    /** Outcomes with these codes are not final: the same key may succeed later. */
    private static final Set<ProblemCode> RETRYABLE = Set.of(ProblemCode.REAUTH_REQUIRED, ProblemCode.MISSING_PERMISSIONS,
            ProblemCode.THROTTLED, ProblemCode.REQUEST_IN_PROGRESS, ProblemCode.CONCURRENT_UPDATE, ProblemCode.IDEMPOTENCY_KEY_REUSED,
            ProblemCode.NOT_FOUND);
    /** 5xx outcomes that are final all the same: retrying them could do the work twice. */
    private static final Set<ProblemCode> FINAL_SERVER_ERRORS = Set.of(ProblemCode.DELIVERY_UNCONFIRMED);
    private static final Duration POLL = Duration.ofMillis(50);
    private static final int OUTCOME_ATTEMPTS = 3;
    private static final Duration OUTCOME_RETRY_DELAY = Duration.ofSeconds(1);
    private static final Logger LOG = Logger.getLogger(Idempotency.class.getName());

    private final IdempotencyStore store;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration lease;
    private final Duration waitForOther;

    public Idempotency(IdempotencyStore store, Clock clock, Sleeper sleeper, Duration lease, Duration waitForOther) {
        this.store = Objects.requireNonNull(store, "'store' cannot be null.");
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
        this.sleeper = Objects.requireNonNull(sleeper, "'sleeper' cannot be null.");
        this.lease = Objects.requireNonNull(lease, "'lease' cannot be null.");
        this.waitForOther = Objects.requireNonNull(waitForOther, "'waitForOther' cannot be null.");
    }

    /** One POST: its connection, its key (null: no key, no record), what it is and the hash of its body. */
    public record Request(String connectionId, String key, String operation, String requestHash) {
        public Request {
            Objects.requireNonNull(connectionId, "'connectionId' cannot be null.");
            Objects.requireNonNull(operation, "'operation' cannot be null.");
            Objects.requireNonNull(requestHash, "'requestHash' cannot be null.");
        }

        @Override
        public String toString() {
            return "Request[connection=" + connectionId + ", operation=" + operation + "]";
        }
    }


    /**
     * The lease for an outbound call timeout. The lease is renewed before every attempt of every call
     * ({@link Step#keepLease()}), so between two renewals at most one attempt runs (the call itself, and
     * a token renewal inside it after a 401: two timeouts) after one retry delay. The lease is twice
     * that, at least a minute: with the default 30 s timeout and a 10 s retry budget, 2 x (2 x 30 s + 10 s) = 140 s.
     */
    public static Duration leaseFor(Duration callTimeout, Duration retryBudget) {
        Duration lease = callTimeout.multipliedBy(2).plus(retryBudget).multipliedBy(2);
        return lease.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1) : lease;
    }

    /** A result, and whether it is the stored outcome of an earlier request with the same key. */
    public record Outcome<T>(T value, boolean replayed) {
    }

    /** Marks failures after which the same key must resume from the saved progress rather than replay this answer. */
    public interface Resumable {
    }

    /** When the record of a keyed request is first written. */
    public enum Claim {
        /** Before the work starts: nothing runs without a record (the default). */
        BEFORE_WORK,
        /**
         * With the work's first saved progress, which the work saves before anything a retry must not repeat;
         * what runs before it is harmless to repeat or to abandon (a lookup, a draft not sent). The common path
         * then writes twice: the record with that progress, and the outcome. When another request claims the
         * key first, {@link Step#saveProgress} throws {@link KeyTaken} (the work undoes what it prepared) and
         * this request continues as one that found the key in use.
         */
        WITH_FIRST_PROGRESS
    }

    /** Runs {@code work} once per key, claiming the key before the work starts; {@code resultType} is what the stored outcome is read back as. */
    public <T> Outcome<T> run(Request request, Class<T> resultType, Function<Step, T> work) {
        return run(request, resultType, Claim.BEFORE_WORK, work);
    }

    /** Runs {@code work} once per key, claiming the key at {@code claim}. */
    public <T> Outcome<T> run(Request request, Class<T> resultType, Claim claim, Function<Step, T> work) {
        if (request.key() == null) {
            return new Outcome<>(work.apply(new MemoryStep()), false);
        }
        Optional<IdempotencyRecord> found = Optional.empty();
        if (claim == Claim.WITH_FIRST_PROGRESS) {
            found = store.find(request.connectionId(), Secrets.sha256(request.key()));
            if (found.isEmpty()) {
                try {
                    return execute(KeyedStep.unclaimed(freshRecord(request, clock.instant()), store, clock, lease), resultType, work);
                } catch (KeyTaken taken) {
                    // another request with this key claimed it while this one prepared: continue as if it had found it
                }
            }
        }
        IdempotencyRecord record = claim(request, found);
        if (record.state() == IdempotencyRecord.State.COMPLETED) {
            return replay(record, resultType);
        }
        return execute(KeyedStep.claimed(record, store, clock, lease), resultType, work);
    }

    private <T> Outcome<T> execute(KeyedStep step, Class<T> resultType, Function<Step, T> work) {
        T result;
        try {
            result = work.apply(step);
        } catch (KeyTaken taken) {
            throw taken;
        } catch (ConnectorException e) {
            if (isFinal(e)) {
                complete(step, e.code().httpStatus(), Json.write(Problem.of(e)));
            } else {
                release(step);
            }
            throw e;
        } catch (RuntimeException e) {
            release(step);
            throw e;
        }
        complete(step, 200, Json.write(result));
        return new Outcome<>(result, false);
    }

    /** The lease requests hold; a runner that died is taken over this long after its last renewal. */
    public Duration lease() {
        return lease;
    }

    /** Whether {@code e}, thrown by the work, would be stored as the key's final answer (a retry gets it back unchanged). */
    public static boolean storedAsFinal(ConnectorException e) {
        return isFinal(e);
    }

    private static boolean isFinal(ConnectorException e) {
        if (e instanceof Resumable || RETRYABLE.contains(e.code())) {
            return false;
        }
        return e.code().httpStatus() < 500 || FINAL_SERVER_ERRORS.contains(e.code());
    }

    private <T> Outcome<T> replay(IdempotencyRecord record, Class<T> resultType) {
        if (record.outcomeStatus() != null && record.outcomeStatus() >= 400) {
            throw StoredProblem.from(record.outcomeBody());
        }
        try {
            return new Outcome<>(Json.MAPPER.readValue(record.outcomeBody(), resultType), true);
        } catch (Exception e) {
            throw new IllegalStateException("stored outcome of " + record + " cannot be read as " + resultType.getSimpleName(), e);
        }
    }

    private IdempotencyRecord freshRecord(Request request, Instant now) {
        return new IdempotencyRecord(request.connectionId(), Secrets.sha256(request.key()), request.requestHash(), request.operation(),
                IdempotencyRecord.State.IN_PROGRESS, now.plus(lease), null, null, null, now, null);
    }

    /**
     * Claims the key: creates its record, takes over one whose lease ran out, or waits for its holder; returns
     * the record, completed if the key is settled. {@code found} is the record this request already read, if
     * any: a retry or replay then starts from it instead of a create that must fail and a second read. Every
     * write stays conditional (create-if-absent, update on the version read), so a record read a moment
     * earlier can only cost a lost race, which ends in a fresh read.
     */
    private IdempotencyRecord claim(Request request, Optional<IdempotencyRecord> found) {
        String keyHash = Secrets.sha256(request.key());
        Instant deadline = clock.instant().plus(waitForOther);
        Optional<IdempotencyRecord> existing = found;
        while (true) {
            Instant now = clock.instant();
            if (existing.isEmpty()) {
                Optional<IdempotencyRecord> created = store.tryCreate(freshRecord(request, now));
                if (created.isPresent()) {
                    return created.get();
                }
                existing = store.find(request.connectionId(), keyHash);
                if (existing.isEmpty()) {
                    continue;
                }
            }
            IdempotencyRecord record = existing.get();
            existing = Optional.empty(); // the next round reads the record afresh
            if (!record.requestHash().equals(request.requestHash()) || !record.operation().equals(request.operation())) {
                throw new ConnectorException(ProblemCode.IDEMPOTENCY_KEY_REUSED, "This Idempotency-Key was used for a different request; "
                        + "use a new key for a new request.", request.connectionId(), null);
            }
            if (record.state() == IdempotencyRecord.State.COMPLETED) {
                return record;
            }
            if (!now.isBefore(record.leaseUntil())) {
                try {
                    return store.update(record.withLease(now.plus(lease)));
                } catch (ConcurrentUpdateException e) {
                    continue;
                }
            }
            if (!now.isBefore(deadline)) {
                throw new RequestInProgress(request.connectionId());
            }
            sleeper.sleep(POLL);
        }
    }

    /**
     * Stores the outcome. The work is done by now (a mail may be on its way), so a storage failure here
     * must not turn into "try again": the outcome is tried a few more times and, if storage stays away,
     * the answer still goes back to the caller. The record then keeps the progress saved before the last
     * call, from which a retry with the key looks at Graph (or answers delivery_unconfirmed where it cannot).
     */
    private void complete(KeyedStep step, int status, String body) {
        for (int attempt = 1; ; attempt++) {
            try {
                step.complete(status, body);
                return;
            } catch (ConcurrentUpdateException e) {
                return; // Another runner took over after our lease ran out (or claimed first); it stores its own outcome.
            } catch (StorageUnavailableException e) {
                if (attempt >= OUTCOME_ATTEMPTS) {
                    LOG.warning("The outcome of an Idempotency-Key request (" + step + ") could not be stored: Table Storage is "
                            + "unavailable. The answer was sent; a retry with the key checks the saved progress instead of replaying it.");
                    return;
                }
                sleeper.sleep(OUTCOME_RETRY_DELAY.multipliedBy(attempt));
            }
        }
    }

    private void release(KeyedStep step) {
        try {
            step.release();
        } catch (ConnectorException e) {
            // the lease runs out by itself
        }
    }

    private static final class MemoryStep implements Step {
        private String progress;

        @Override
        public Optional<String> progress() {
            return Optional.ofNullable(progress);
        }

        @Override
        public void saveProgress(String value) {
            progress = value;
        }

        @Override
        public void keepLease() {
            // no record, no lease
        }
    }
}
