package io.m365connector.idempotency;

import java.time.Instant;

/**
 * What is known about one Idempotency-Key of one connection: the hash of the request that first
 * used it, whether it is still running (and until when its runner holds the lease), the progress the
 * work saved (so a resumed request continues instead of starting over), and the final outcome.
 *
 * @param progress    opaque to the store; the operation's own resume state (for mail: its marker and draft, or "about to call sendMail")
 * @param outcomeBody the result as JSON (status below 400) or the problem+json body
 * @param version     the row's ETag, null before the first write
 */
public record IdempotencyRecord(String connectionId, String keyHash, String requestHash, String operation, State state,
                                Instant leaseUntil, String progress, Integer outcomeStatus, String outcomeBody, Instant createdAt,
                                String version) {
    public enum State { IN_PROGRESS, COMPLETED }

    public IdempotencyRecord withLease(Instant until) {
        return new IdempotencyRecord(connectionId, keyHash, requestHash, operation, state, until, progress, outcomeStatus,
                outcomeBody, createdAt, version);
    }

    public IdempotencyRecord withProgress(String newProgress) {
        return new IdempotencyRecord(connectionId, keyHash, requestHash, operation, state, leaseUntil, newProgress, outcomeStatus,
                outcomeBody, createdAt, version);
    }

    public IdempotencyRecord completed(int status, String body) {
        return new IdempotencyRecord(connectionId, keyHash, requestHash, operation, State.COMPLETED, leaseUntil, progress, status,
                body, createdAt, version);
    }

    public IdempotencyRecord withVersion(String newVersion) {
        return new IdempotencyRecord(connectionId, keyHash, requestHash, operation, state, leaseUntil, progress, outcomeStatus,
                outcomeBody, createdAt, newVersion);
    }

    @Override
    public String toString() {
        return "IdempotencyRecord[connection=" + connectionId + ", operation=" + operation + ", state=" + state
                + ", leaseUntil=" + leaseUntil + ", outcomeStatus=" + outcomeStatus + "]";
    }
}
