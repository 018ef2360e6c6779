package io.m365connector.actions;

import io.m365connector.idempotency.Idempotency;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;

/**
 * A send whose outcome Graph did not confirm (no answer, or 500/502/504 after the request left).
 * It is never sent again: a second copy could arrive. What a retry with the same key does depends on
 * whether the outcome can still be learned.
 */
final class DeliveryUnconfirmed {
    private DeliveryUnconfirmed() {
    }

    /** sendMail with saveToSentItems=false leaves nothing to look at: the answer is final for this key. */
    static ConnectorException afterDirectSend(String connectionId) {
        return new ConnectorException(ProblemCode.DELIVERY_UNCONFIRMED, "Microsoft Graph did not confirm the send, and with "
                + "saveToSentItems=false it cannot be checked. It was not sent again, so it cannot arrive twice. Check with the "
                + "recipient; to send it anyway, use a new Idempotency-Key.", connectionId, null);
    }

    /** The draft is still a draft: Exchange may still be submitting it. A retry with the same key looks again. */
    static ConnectorException afterDraftSend(String connectionId) {
        return new Recheckable(connectionId);
    }

    private static final class Recheckable extends ConnectorException implements Idempotency.Resumable {
        Recheckable(String connectionId) {
            super(ProblemCode.DELIVERY_UNCONFIRMED, "Microsoft Graph did not confirm the send and the message is still in Drafts "
                    + "(Exchange may still be submitting it). It was not sent again, so it cannot arrive twice. Retry with the same "
                    + "Idempotency-Key later to learn the outcome (it only looks, it never sends again); to send it anyway, use a new key.",
                    connectionId, null);
        }
    }
}
