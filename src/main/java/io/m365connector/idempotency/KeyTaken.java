package io.m365connector.idempotency;

/**
 * Thrown by {@link Step#saveProgress} when the work was to claim its key with that progress
 * ({@link Idempotency.Claim#WITH_FIRST_PROGRESS}) and another request claimed it first. Nothing of this
 * request is recorded: the work undoes what it prepared and rethrows; {@link Idempotency} then treats the
 * request as one that found the key in use (waits for that outcome, replays it, or takes over).
 */
public final class KeyTaken extends RuntimeException {
    KeyTaken() {
        super("Another request claimed this Idempotency-Key first", null, false, false);
    }
}
