package io.m365connector.actions;

import io.m365connector.idempotency.Idempotency;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Sleeper;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A send whose outcome Graph did not confirm (no answer, or 500/502/504 after the request left).
 * It is never sent again: a second copy could arrive. What a retry with the same key does depends on
 * whether the outcome can still be learned.
 */
final class DeliveryUnconfirmed {
    /** How often, and how far apart, a send is looked for (the draft gone, the copy in Sent Items) before it is unconfirmed. */
    private static final int LOOKS = 3;
    private static final Duration LOOK_INTERVAL = Duration.ofSeconds(2);

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

    /** The mail sendMail was to keep is not in Sent Items: not sent, or Exchange still submitting it. A retry looks again. */
    static ConnectorException afterKeptSend(String connectionId) {
        return new Recheckable(connectionId, "Microsoft Graph did not confirm the send and the message is not in Sent Items "
                + "(Exchange may still be submitting it, or the send never left).");
    }

    /**
     * Looks up to {@link #LOOKS} times, {@link #LOOK_INTERVAL} apart, whether the send happened ({@link #unlessLooked});
     * throws {@code notSeen} when no look saw it.
     */
    static void lookFor(String connectionId, Sleeper sleeper, BooleanSupplier sent, Supplier<ConnectorException> notSeen) {
        for (int look = 1; ; look++) {
            if (unlessLooked(connectionId, sent)) {
                return;
            }
            if (look >= LOOKS) {
                throw notSeen.get();
            }
            sleeper.sleep(LOOK_INTERVAL);
        }
    }

    /**
     * The answer of a look (is the draft still there, is the copy in Sent Items). A look Graph refused for good (403, 400)
     * is no answer: unconfirmed, and a retry with the key looks again, rather than the refusal kept as the key's final
     * answer while the mail may have gone. What a retry gets anyway (throttled, reauth_required, storage unavailable, a
     * lease taken over) goes out as it is.
     */
    private static boolean unlessLooked(String connectionId, BooleanSupplier look) {
        try {
            return look.getAsBoolean();
        } catch (ConnectorException refused) {
            if (!Idempotency.storedAsFinal(refused)) {
                throw refused;
            }
            ConnectorException unconfirmed = new Recheckable(connectionId, "Microsoft Graph did not confirm the send, and looking for "
                    + "it was refused (" + refused.code().code() + ").");
            unconfirmed.addSuppressed(refused);
            throw unconfirmed;
        }
    }

    /**
     * A record of the key this version cannot read (a later version wrote it): it may have been sent, so never again; a
     * retry with the key, served by a version that reads it, learns the outcome.
     */
    static ConnectorException unreadableRecord(String connectionId) {
        return new Recheckable(connectionId, "The record of this Idempotency-Key was written by another version of the connector "
                + "and cannot be read here; the mail may have been sent.");
    }

    private static final class Recheckable extends ConnectorException implements Idempotency.Resumable {
        Recheckable(String connectionId) {
            this(connectionId, "Microsoft Graph did not confirm the send and the message is still in Drafts "
                    + "(Exchange may still be submitting it).");
        }

        Recheckable(String connectionId, String what) {
            super(ProblemCode.DELIVERY_UNCONFIRMED, what + " It was not sent again, so it cannot arrive twice. Retry with the same "
                    + "Idempotency-Key later to learn the outcome (it only looks, it never sends again); to send it anyway, use a new key.",
                    connectionId, null);
        }
    }
}
