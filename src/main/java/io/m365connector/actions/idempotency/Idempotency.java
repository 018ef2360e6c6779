package io.m365connector.actions.idempotency;

import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Json;
import io.m365connector.platform.Problem;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Secrets;
import io.m365connector.platform.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

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
 */
public final class Idempotency {
    /** Outcomes with these codes are not final: the same key may succeed later. */
    private static final Set<ProblemCode> RETRYABLE = Set.of(ProblemCode.REAUTH_REQUIRED, ProblemCode.MISSING_PERMISSIONS,
            ProblemCode.THROTTLED, ProblemCode.REQUEST_IN_PROGRESS, ProblemCode.CONCURRENT_UPDATE, ProblemCode.IDEMPOTENCY_KEY_REUSED,
            ProblemCode.NOT_FOUND);
    /** 5xx outcomes that are final all the same: retrying them could do the work twice. */
    private static final Set<ProblemCode> FINAL_SERVER_ERRORS = Set.of(ProblemCode.DELIVERY_UNCONFIRMED);
    private static final Duration POLL = Duration.ofMillis(50);

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

    /** The work's view of its record: the progress an earlier attempt saved, and a way to save more. */
    public interface Step {
        Optional<String> progress();

        /** Saves progress (and renews the lease) before the work does something a retry must not repeat. */
        void saveProgress(String progress);
    }

    /** A result, and whether it is the stored outcome of an earlier request with the same key. */
    public record Outcome<T>(T value, boolean replayed) {
    }

    /** Marks failures after which the same key must resume from the saved progress rather than replay this answer. */
    public interface Resumable {
    }

    /** Runs {@code work} once per key; {@code resultType} is what the stored outcome is read back as. */
    public <T> Outcome<T> run(Request request, Class<T> resultType, Function<Step, T> work) {
        if (request.key() == null) {
            return new Outcome<>(work.apply(new MemoryStep()), false);
        }
        IdempotencyRecord record = claim(request);
        if (record.state() == IdempotencyRecord.State.COMPLETED) {
            return replay(record, resultType);
        }
        RecordStep step = new RecordStep(record);
        T result;
        try {
            result = work.apply(step);
        } catch (ConnectorException e) {
            if (isFinal(e)) {
                complete(step.record, e.code().httpStatus(), Json.write(Problem.of(e)));
            } else {
                release(step.record);
            }
            throw e;
        } catch (RuntimeException e) {
            release(step.record);
            throw e;
        }
        complete(step.record, 200, Json.write(result));
        return new Outcome<>(result, false);
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

    private IdempotencyRecord claim(Request request) {
        String keyHash = Secrets.sha256(request.key());
        Instant deadline = clock.instant().plus(waitForOther);
        while (true) {
            Instant now = clock.instant();
            IdempotencyRecord fresh = new IdempotencyRecord(request.connectionId(), keyHash, request.requestHash(), request.operation(),
                    IdempotencyRecord.State.IN_PROGRESS, now.plus(lease), null, null, null, now, null);
            Optional<IdempotencyRecord> created = store.tryCreate(fresh);
            if (created.isPresent()) {
                return created.get();
            }
            Optional<IdempotencyRecord> existing = store.find(request.connectionId(), keyHash);
            if (existing.isEmpty()) {
                continue;
            }
            IdempotencyRecord record = existing.get();
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
                throw new InProgress(request.connectionId());
            }
            sleeper.sleep(POLL);
        }
    }

    private void complete(IdempotencyRecord record, int status, String body) {
        try {
            store.update(record.completed(status, body));
        } catch (ConcurrentUpdateException e) {
            // Another runner took over after our lease ran out; it will store its own outcome.
        }
    }

    private void release(IdempotencyRecord record) {
        try {
            store.update(record.withLease(clock.instant()));
        } catch (ConnectorException e) {
            // the lease runs out by itself
        }
    }

    private final class RecordStep implements Step {
        private IdempotencyRecord record;

        RecordStep(IdempotencyRecord record) {
            this.record = record;
        }

        @Override
        public Optional<String> progress() {
            return Optional.ofNullable(record.progress());
        }

        @Override
        public void saveProgress(String progress) {
            try {
                record = store.update(record.withProgress(progress).withLease(clock.instant().plus(lease)));
            } catch (ConcurrentUpdateException e) {
                throw new InProgress(record.connectionId());
            }
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
    }

    /** 409 with Retry-After: the same request is still running elsewhere. */
    static final class InProgress extends ConnectorException implements Problem.ProblemExtensions {
        InProgress(String connectionId) {
            super(ProblemCode.REQUEST_IN_PROGRESS, "A request with this Idempotency-Key is still running; retry with the same key shortly.",
                    connectionId, null);
        }

        @Override
        public Map<String, Object> problemExtensions() {
            return Map.of("retryAfterSeconds", 1);
        }
    }
}
