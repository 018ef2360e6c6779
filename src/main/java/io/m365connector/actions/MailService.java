package io.m365connector.actions;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.connection.Feature;
import io.m365connector.graph.GraphAccess;
import io.m365connector.graph.GraphJsonRequests;
import io.m365connector.graph.GraphRetry;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.graph.GraphSession;
import io.m365connector.graph.GraphTemplates;
import io.m365connector.graph.GraphValues;
import io.m365connector.graph.Permissions;
import io.m365connector.idempotency.Idempotency;
import io.m365connector.idempotency.Step;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Sleeper;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Sends mail as the connected user (or from a shared mailbox), at most once per Idempotency-Key.
 *
 * <p>A mail kept in Sent Items (the default) whose attachments all fit in one request is one sendMail call, found in
 * Sent Items by its marker after an ambiguous answer or a crash ({@link SendMailCall}: two writes).
 *
 * <p>Otherwise the message is created as a draft (tagged with a random marker), its attachments added, and
 * the draft sent. The key is claimed with the marker before the draft is made, "about to send this draft"
 * is recorded before the send, and the outcome after it: three writes. A retry resumes from the record, also after the process died: it never sends a draft twice, sends a draft whose send Graph
 * refused, and finds a draft whose creation answered ambiguously by its marker. After an ambiguous send the draft
 * is looked at: gone or no longer a draft means sent; still a draft proves nothing (Exchange submits
 * asynchronously), so the answer is {@code delivery_unconfirmed} and a retry with the key only looks again.
 *
 * <p>With saveToSentItems=false Graph's sendMail is used without a copy (a sent draft is always kept in Sent Items); an
 * ambiguous failure there cannot be checked, so it is final: {@code delivery_unconfirmed} ({@link SendMailCall}).
 */
public final class MailService {
    private static final Permissions OWN = Permissions.of(Feature.MAIL);
    private static final Permissions SHARED = Permissions.of(Feature.SHARED_MAILBOX);

    private final GraphAccess graph;
    private final Idempotency idempotency;
    private final Sleeper sleeper;
    private final AttachmentUploader uploader;
    private final SendMailCall sendMail;

    public MailService(GraphAccess graph, Idempotency idempotency, Sleeper sleeper) {
        this.graph = Objects.requireNonNull(graph, "'graph' cannot be null.");
        this.idempotency = Objects.requireNonNull(idempotency, "'idempotency' cannot be null.");
        this.sleeper = Objects.requireNonNull(sleeper, "'sleeper' cannot be null.");
        this.uploader = new AttachmentUploader(graph);
        this.sendMail = new SendMailCall(sleeper);
    }

    public Idempotency.Outcome<MailSent> send(ConnectionRef ref, String idempotencyKey, MailRequest request) {
        // Refused before anything is recorded or sent when the connection cannot do this.
        GraphSession session = graph.open(ref, request.from() == null ? OWN : SHARED);
        Idempotency.Request call = new Idempotency.Request(session.connectionId(), idempotencyKey, "mail", request.fingerprint());
        return idempotency.run(call, MailSent.class, Idempotency.Claim.WITH_FIRST_PROGRESS, step -> {
            session.beforeEachAttempt(step::keepLease);
            if (!request.saveToSentItems()) {
                return sendMail.withoutCopy(session, request, step);
            }
            return SendMailCall.takes(request, step.progress(), session.connectionId()) ? sendMail.keptInSentItems(session, request, step)
                    : viaDraft(session, request, step);
        });
    }

    private MailSent viaDraft(GraphSession session, MailRequest request, Step step) {
        if (step.progress().isEmpty()) {
            return firstAttempt(session, request, step);
        }
        MailProgress progress = MailProgress.read(step.progress(), session.connectionId());
        if (progress.sendAttempted()) {
            return confirmSent(session, request, progress.draftId()); // an earlier attempt sent it, or may have
        }
        if (progress.draftId() != null && progress.attachmentsUploaded()) {
            step.saveProgress(progress.sending().json()); // Graph refused the last send of this draft: it is sent now, never again after
            return send(session, request, step, progress);
        }
        // A draft never sent that may be incomplete (an earlier runner stopped while making it): deleted, and made again.
        if (progress.draftId() != null) {
            deleteQuietly(session, request, progress.draftId());
        } else if (progress.marker() != null) {
            findDraft(session, request, progress.marker()).ifPresent(id -> deleteQuietly(session, request, id));
        }
        return firstAttempt(session, request, step);
    }

    /**
     * The key is claimed with the draft's marker before the draft is made (the first write), so a retry finds a draft
     * a dead runner left and deletes it; "about to send this draft" is the second write, the outcome the third. What a
     * retry must not repeat is recorded before it happens; nothing else is written.
     */
    private MailSent firstAttempt(GraphSession session, MailRequest request, Step step) {
        MailProgress progress = MailProgress.start();
        step.saveProgress(progress.json()); // claims the key (or updates a resumed record) with the marker
        String draftId = createDraft(session, request, progress.marker());
        uploadOrDelete(session, request, draftId);
        progress = progress.withDraft(draftId).uploaded();
        step.saveProgress(progress.sending().json()); // from here on the draft is never sent again, only looked at
        return send(session, request, step, progress);
    }

    /** Adds the attachments; a draft they did not all reach is deleted (best effort): it is never sent, and no retry uses it. */
    private void uploadOrDelete(GraphSession session, MailRequest request, String draftId) {
        try {
            uploader.upload(session, request, draftId);
        } catch (RuntimeException e) {
            deleteQuietly(session, request, draftId);
            throw e;
        }
    }

    private MailSent send(GraphSession session, MailRequest request, Step step, MailProgress progress) {
        String draftId = progress.draftId(); // never null here; GraphJsonRequests refuses a template value that is missing before Graph
        try {
            // Graph's JSON request rather than the SDK's builder: a send then never makes the SDK's fluent client (GraphClient).
            session.run(Safety.ONCE, client -> GraphJsonRequests.post(client, GraphJsonRequests.mailbox(request.from()) + "/messages/{message%2Did}/send",
                    GraphJsonRequests.parameters(request.from(), "message%2Did", draftId), null));
            return MailSent.of(session.connectionId(), request);
        } catch (GraphRetry.Ambiguous ambiguous) {
            return confirmSent(session, request, draftId);
        } catch (ConnectorException refused) {
            // Graph refused the send, so it did not happen: a retry may send it (a draft Graph cannot find, from a new one).
            if (refused.code() == ProblemCode.NOT_FOUND) {
                deleteQuietly(session, request, draftId);
                step.saveProgress(MailProgress.none().json()); // not sent, no draft: the retry starts from a new one
            } else {
                step.saveProgress(progress.notSent().json());
            }
            throw refused;
        }
    }

    /** Creates the draft; after an ambiguous answer it is looked up by its marker first, and created again only if absent. */
    private String createDraft(GraphSession session, MailRequest request, String marker) {
        for (int attempt = 1; ; attempt++) {
            Optional<String> found = attempt == 1 ? Optional.empty() : findDraft(session, request, marker);
            if (found.isPresent()) {
                return found.get();
            }
            try {
                return session.call(Safety.ONCE, client -> GraphJsonRequests.postForId(client,
                        GraphJsonRequests.mailbox(request.from()) + "/messages", GraphJsonRequests.parameters(request.from()),
                        MailMessages.message(request, marker)));
            } catch (GraphRetry.Ambiguous ambiguous) {
                if (attempt >= 2) {
                    Optional<String> late = findDraft(session, request, marker);
                    if (late.isPresent()) {
                        return late.get();
                    }
                    throw ambiguous.failure().toException(session.connectionId());
                }
            }
        }
    }

    private Optional<String> findDraft(GraphSession session, MailRequest request, String marker) {
        JsonNode drafts = session.call(Safety.REPEATABLE, client -> GraphJsonRequests.get(client,
                GraphJsonRequests.mailbox(request.from()) + GraphTemplates.FOLDER_MESSAGES, GraphJsonRequests.parameters(request.from(), "mailFolder%2Did", "drafts"),
                Map.of("%24filter", MailMessages.markerFilter(marker), "%24select", new String[] {"id"}), List.of()));
        return GraphValues.list(drafts, "value").stream().map(m -> GraphValues.text(m, "id")).filter(Objects::nonNull).findFirst();
    }

    /** After an ambiguous send: sent when the draft is gone or no longer a draft; otherwise unconfirmed. */
    private MailSent confirmSent(GraphSession session, MailRequest request, String draftId) {
        DeliveryUnconfirmed.lookFor(session.connectionId(), sleeper, () -> !stillADraft(session, request, draftId),
                () -> DeliveryUnconfirmed.afterDraftSend(session.connectionId()));
        return MailSent.of(session.connectionId(), request);
    }

    private boolean stillADraft(GraphSession session, MailRequest request, String draftId) {
        try {
            JsonNode m = session.call(Safety.REPEATABLE, client -> GraphJsonRequests.get(client,
                    GraphJsonRequests.mailbox(request.from()) + GraphTemplates.MESSAGE, GraphJsonRequests.parameters(request.from(), "message%2Did", draftId),
                    "id", "isDraft"));
            return Boolean.TRUE.equals(GraphValues.bool(m, "isDraft")); // an answer without a body fails inside the call (GraphJsonRequests)
        } catch (ConnectorException e) {
            if (e.code() == ProblemCode.NOT_FOUND) {
                return false; // sent drafts move to Sent Items under a new id
            }
            throw e;
        }
    }

    private void deleteQuietly(GraphSession session, MailRequest request, String draftId) {
        try {
            session.run(Safety.REMOVAL, client -> MailMessages.mailbox(client.sdk(), request).messages().byMessageId(draftId).delete());
        } catch (RuntimeException ignored) {
            // an orphaned draft is never sent; leaving it is harmless
        }
    }
}
