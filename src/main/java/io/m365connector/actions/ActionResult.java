package io.m365connector.actions;

/**
 * What an action answers: HTTP status and JSON body. {@code replayed} marks an answer repeated from
 * the first request with the same Idempotency-Key (no Graph call was made for it).
 */
public record ActionResult(int status, String body, boolean replayed) {
    public ActionResult replay() {
        return new ActionResult(status, body, true);
    }
}
