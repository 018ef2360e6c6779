package io.m365connector.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Json;
import io.m365connector.platform.Problem;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Secrets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Exactly-once execution of POST actions under an Idempotency-Key (per connection):
 * <ul>
 *   <li>first request: creates an in-progress record holding a lease, does the work, stores the outcome;</li>
 *   <li>same key and same body afterwards: the stored outcome, without calling Graph;</li>
 *   <li>same key, different body: 422 idempotency_key_reused;</li>
 *   <li>same key while the first still runs: waits for its outcome (up to {@code waitForOther}), then 409 request_in_progress;</li>
 *   <li>a runner that died (lease expired): the next request with the key takes over and resumes from what the record says (for mail, the draft already created).</li>
 * </ul>
 * Final failures (a request Graph refused for good) are stored like successes; failures worth
 * retrying (throttling, outages, reconnect needed) release the lease so a retry with the same key resumes.
 */
public final class Idempotency {
    /** Stored outcomes of these codes are not final: the same key may succeed later. */
    private static final Set<ProblemCode> RETRYABLE = Set.of(ProblemCode.REAUTH_REQUIRED, ProblemCode.MISSING_PERMISSIONS,
            ProblemCode.THROTTLED, ProblemCode.REQUEST_IN_PROGRESS, ProblemCode.CONCURRENT_UPDATE, ProblemCode.IDEMPOTENCY_KEY_REUSED,
            ProblemCode.NOT_FOUND);

    private final IdempotencyStore store;
    private final Clock clock;
    private final Duration lease;
    private final Duration waitForOther;

    public Idempotency(IdempotencyStore store, Clock clock, Duration lease, Duration waitForOther) {
        this.store = store;
        this.clock = clock;
        this.lease = lease;
        this.waitForOther = waitForOther;
    }

    /** The work's view of its record: what an earlier attempt left (a draft id) and a way to note progress. */
    public interface Step {
        String draftId();

        boolean attachmentsUploaded();

        void saveDraft(String draftId, boolean attachmentsUploaded);
    }

    /** SHA-256 over the operation and the request body with object keys sorted, so formatting does not matter. */
    public static String requestHash(String operation, String body) {
        return Secrets.sha256(operation + "\n" + Json.write(canonical(JsonFieldsOrNull.parse(body))));
    }

    public ActionResult run(String connectionId, String key, String operation, String requestHash, Function<Step, ActionResult> work) {
        if (key == null) {
            return work.apply(new MemoryStep());
        }
        String keyHash = Secrets.sha256(key);
        IdempotencyRecord record = claim(connectionId, keyHash, operation, requestHash);
        if (record.state() == IdempotencyRecord.State.COMPLETED) {
            return new ActionResult(record.outcomeStatus(), record.outcomeBody(), true);
        }
        RecordStep step = new RecordStep(record);
        ActionResult result;
        try {
            result = work.apply(step);
        } catch (ConnectorException e) {
            if (RETRYABLE.contains(e.code()) || e.code().httpStatus() >= 500) {
                release(step.record);
            } else {
                complete(step.record, e.code().httpStatus(), Json.write(Problem.of(e)));
            }
            throw e;
        } catch (RuntimeException e) {
            release(step.record);
            throw e;
        }
        complete(step.record, result.status(), result.body());
        return result;
    }

    private IdempotencyRecord claim(String connectionId, String keyHash, String operation, String requestHash) {
        Instant deadline = clock.instant().plus(waitForOther);
        while (true) {
            Instant now = clock.instant();
            IdempotencyRecord fresh = new IdempotencyRecord(connectionId, keyHash, requestHash, operation,
                    IdempotencyRecord.State.IN_PROGRESS, now.plus(lease), null, false, null, null, now, null);
            var created = store.tryCreate(fresh);
            if (created.isPresent()) {
                return created.get();
            }
            var existing = store.find(connectionId, keyHash);
            if (existing.isEmpty()) {
                continue;
            }
            IdempotencyRecord record = existing.get();
            if (!record.requestHash().equals(requestHash) || !record.operation().equals(operation)) {
                throw new ConnectorException(ProblemCode.IDEMPOTENCY_KEY_REUSED, "This Idempotency-Key was used for a different request; "
                        + "use a new key for a new request.", connectionId, null);
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
                throw new InProgress(connectionId);
            }
            sleep(Duration.ofMillis(50));
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

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectorException(ProblemCode.REQUEST_IN_PROGRESS, "Interrupted while waiting for the same request.");
        }
    }

    private final class RecordStep implements Step {
        private IdempotencyRecord record;

        RecordStep(IdempotencyRecord record) {
            this.record = record;
        }

        @Override
        public String draftId() {
            return record.draftId();
        }

        @Override
        public boolean attachmentsUploaded() {
            return record.attachmentsUploaded();
        }

        @Override
        public void saveDraft(String draftId, boolean attachmentsUploaded) {
            try {
                record = store.update(record.withDraft(draftId, attachmentsUploaded).withLease(clock.instant().plus(lease)));
            } catch (ConcurrentUpdateException e) {
                throw new InProgress(record.connectionId());
            }
        }
    }

    private static final class MemoryStep implements Step {
        private String draftId;
        private boolean uploaded;

        @Override
        public String draftId() {
            return draftId;
        }

        @Override
        public boolean attachmentsUploaded() {
            return uploaded;
        }

        @Override
        public void saveDraft(String id, boolean attachmentsUploaded) {
            draftId = id;
            uploaded = attachmentsUploaded;
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

    private static JsonNode canonical(JsonNode node) {
        if (node == null || !node.isContainerNode()) {
            return node;
        }
        if (node.isArray()) {
            var array = Json.MAPPER.createArrayNode();
            node.forEach(n -> array.add(canonical(n)));
            return array;
        }
        Map<String, JsonNode> sorted = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            sorted.put(e.getKey(), canonical(e.getValue()));
        }
        ObjectNode object = Json.MAPPER.createObjectNode();
        sorted.forEach(object::set);
        return object;
    }

    private static final class JsonFieldsOrNull {
        static JsonNode parse(String body) {
            try {
                return Json.MAPPER.readTree(body == null ? "" : body);
            } catch (Exception e) {
                return Json.MAPPER.getNodeFactory().textNode(body);
            }
        }
    }
}
