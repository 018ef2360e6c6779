package io.m365connector.actions;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.graph.GraphJsonRequests;
import io.m365connector.graph.GraphRetry;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.graph.GraphSession;
import io.m365connector.graph.GraphTemplates;
import io.m365connector.graph.GraphValues;
import io.m365connector.idempotency.Step;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Sleeper;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A mail sent with one Graph {@code sendMail} call: the key is claimed with "about to call sendMail" and the outcome
 * recorded after it (two writes, one Graph call). A retry that finds the claim without an outcome, or an ambiguous answer
 * (no answer, 500, 502, 504), never calls sendMail again.
 *
 * <p>Kept in Sent Items (the default, when every attachment fits in the one request): the copy is tagged with a random
 * marker, and the retry looks for it in Sent Items, where Exchange puts what it sent (the way Microsoft advises to find a
 * message sendMail sent: microsoft-graph-docs issue 3766; from a shared mailbox, /users/{from}/sendMail keeps it in that
 * mailbox's Sent Items: Learn, "Send Outlook messages from another user"). Found means sent ({@code 202}); not found
 * proves nothing (Exchange submits asynchronously, and a process that died just before the call never sent it), so the
 * answer is {@code delivery_unconfirmed} and a retry with the key only looks again.
 *
 * <p>Without a copy (saveToSentItems=false) there is nothing to look at: {@code delivery_unconfirmed}, final for the key.
 *
 * <p>Mail with attachments that need a request of their own, or an upload session, goes through a draft (MailService).
 */
final class SendMailCall {
    private final Sleeper sleeper;

    SendMailCall(Sleeper sleeper) {
        this.sleeper = sleeper;
    }

    /** A mail kept in Sent Items goes this way: it fits one request and no draft was started for the key (a retry finishes that one). */
    static boolean takes(MailRequest request, Optional<String> saved, String connectionId) {
        if (saved.isPresent()) {
            MailProgress progress = MailProgress.read(saved, connectionId);
            if (progress.keptSend()) {
                return true;
            }
            if (progress.draftStarted()) {
                return false;
            }
        }
        return MailMessages.fitsOneRequest(request);
    }

    MailSent keptInSentItems(GraphSession session, MailRequest request, Step step) {
        if (step.progress().isPresent()) {
            MailProgress earlier = MailProgress.read(step.progress(), session.connectionId());
            if (earlier.keptSend()) {
                return confirm(session, request, earlier.marker()); // an earlier runner was about to call sendMail, or did
            }
        }
        MailProgress progress = MailProgress.keptSending();
        return call(session, request, step, progress, () -> confirm(session, request, progress.marker()));
    }

    MailSent withoutCopy(GraphSession session, MailRequest request, Step step) {
        Supplier<MailSent> unconfirmed = () -> {
            throw DeliveryUnconfirmed.afterDirectSend(session.connectionId());
        };
        if (MailProgress.read(step.progress(), session.connectionId()).directSend()) {
            return unconfirmed.get(); // an earlier runner was about to call sendMail (or did) and left no outcome: it may have gone
        }
        return call(session, request, step, MailProgress.directSending(), unconfirmed);
    }

    /**
     * Records {@code progress} (claiming the key: from here sendMail is never called again for it), then calls sendMail,
     * kept in Sent Items with the progress's marker, without a copy when it has none.
     */
    private MailSent call(GraphSession session, MailRequest request, Step step, MailProgress progress, Supplier<MailSent> ifAmbiguous) {
        step.saveProgress(progress.json());
        try {
            session.run(Safety.ONCE, client -> GraphJsonRequests.post(client, GraphJsonRequests.mailbox(request.from()) + "/sendMail",
                    GraphJsonRequests.parameters(request.from()), MailMessages.sendMail(request, progress.marker())));
        } catch (GraphRetry.Ambiguous ambiguous) {
            return ifAmbiguous.get();
        } catch (ConnectorException refused) {
            // Refused, not processed, or stopped before the request left: not sent, so a retry may send it.
            try {
                step.saveProgress(MailProgress.none().json());
            } catch (ConnectorException e) {
                refused.addSuppressed(e); // the record still says "about to send": a retry never sends (it looks, or is unconfirmed)
            }
            throw refused;
        }
        return MailSent.of(session.connectionId(), request);
    }
    /** Sent when the tagged copy is in Sent Items; otherwise unconfirmed ({@link DeliveryUnconfirmed#lookFor}). */
    private MailSent confirm(GraphSession session, MailRequest request, String marker) {
        DeliveryUnconfirmed.lookFor(session.connectionId(), sleeper, () -> inSentItems(session, request, marker),
                () -> DeliveryUnconfirmed.afterKeptSend(session.connectionId()));
        return MailSent.of(session.connectionId(), request);
    }

    private static boolean inSentItems(GraphSession session, MailRequest request, String marker) {
        JsonNode copies = session.call(Safety.REPEATABLE, client -> GraphJsonRequests.get(client,
                GraphJsonRequests.mailbox(request.from()) + GraphTemplates.FOLDER_MESSAGES,
                GraphJsonRequests.parameters(request.from(), "mailFolder%2Did", "sentitems"),
                Map.of("%24filter", MailMessages.markerFilter(marker), "%24select", new String[] {"id"}), List.of()));
        return !GraphValues.list(copies, "value").isEmpty();
    }
}
