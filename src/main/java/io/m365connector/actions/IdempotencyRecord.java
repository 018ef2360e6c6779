package io.m365connector.actions;

import java.time.Instant;

/**
 * What is known about one Idempotency-Key of one connection: the hash of the request that first
 * used it, whether it is still running (and until when its runner holds the lease), the draft created
 * for a mail (so a resumed send reuses it instead of creating another), and the final outcome.
 *
 * @param version the row's ETag, null before the first write
 */
public record IdempotencyRecord(String connectionId, String keyHash, String requestHash, String operation, State state,
                                Instant leaseUntil, String draftId, boolean attachmentsUploaded, Integer outcomeStatus,
                                String outcomeBody, Instant createdAt, String version) {
    public enum State { IN_PROGRESS, COMPLETED }

    public IdempotencyRecord withLease(Instant until) {
        return new IdempotencyRecord(connectionId, keyHash, requestHash, operation, state, until, draftId, attachmentsUploaded,
                outcomeStatus, outcomeBody, createdAt, version);
    }

    public IdempotencyRecord withDraft(String id, boolean uploaded) {
        return new IdempotencyRecord(connectionId, keyHash, requestHash, operation, state, leaseUntil, id, uploaded,
                outcomeStatus, outcomeBody, createdAt, version);
    }

    public IdempotencyRecord completed(int status, String body) {
        return new IdempotencyRecord(connectionId, keyHash, requestHash, operation, State.COMPLETED, leaseUntil, draftId,
                attachmentsUploaded, status, body, createdAt, version);
    }

    public IdempotencyRecord withVersion(String newVersion) {
        return new IdempotencyRecord(connectionId, keyHash, requestHash, operation, state, leaseUntil, draftId, attachmentsUploaded,
                outcomeStatus, outcomeBody, createdAt, newVersion);
    }
}
