package io.m365connector.actions;

import com.microsoft.graph.models.AttachmentItem;
import com.microsoft.graph.models.AttachmentType;
import com.microsoft.graph.models.BodyType;
import com.microsoft.graph.models.EmailAddress;
import com.microsoft.graph.models.FileAttachment;
import com.microsoft.graph.models.Importance;
import com.microsoft.graph.models.ItemBody;
import com.microsoft.graph.models.Message;
import com.microsoft.graph.models.UploadSession;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.graph.users.item.UserItemRequestBuilder;
import com.microsoft.graph.users.item.messages.item.attachments.createuploadsession.CreateUploadSessionPostRequestBody;
import com.microsoft.graph.users.item.sendmail.SendMailPostRequestBody;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Json;
import io.m365connector.platform.ProblemCode;
import io.m365connector.tokens.AccessToken;
import io.m365connector.tokens.TokenBroker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Sends mail as the connected user (or from a shared mailbox), exactly once per Idempotency-Key.
 *
 * <p>The message is created as a draft, then the draft is sent. The draft id is written to the
 * idempotency record before sending, so a retry after any failure sends that same draft instead of
 * composing another. After an ambiguous failure of the send (no answer, 500/502/504) the draft is
 * looked up: gone means it was sent; still a draft means it was not, and it is sent again. A sent
 * draft cannot be sent twice, which is what makes a duplicate impossible.
 *
 * <p>With saveToSentItems=false Graph's sendMail is used (a draft is always kept in Sent Items);
 * that path is at-most-once: after an ambiguous failure it is not retried and the outcome says so.
 */
public final class MailService {
    /**
     * Graph refuses request bodies over 4 MB, and base64 grows content by a third: a request may
     * carry at most this many attachment bytes (2.9 MB -> 3.87 MB of base64 plus the JSON). Files up to
     * this size travel in the draft or are added one POST each; bigger ones use upload sessions, which
     * Outlook only accepts for files of a few MB and up.
     */
    static final int INLINE_ATTACHMENT_LIMIT = 2_900_000;
    /** Upload chunks must be multiples of 320 KiB; 12 x 320 KiB stays under Graph's 4 MiB per request. */
    static final int UPLOAD_CHUNK = 12 * 320 * 1024;
    private static final Set<String> OWN = Set.of("Mail.Send", "Mail.ReadWrite");
    private static final Set<String> SHARED = Set.of("Mail.Send.Shared", "Mail.ReadWrite.Shared");

    private final TokenBroker broker;
    private final GraphGateway graph;
    private final Idempotency idempotency;
    private final GraphRetry retry;

    public MailService(TokenBroker broker, GraphGateway graph, Idempotency idempotency) {
        this(broker, graph, idempotency, GraphRetry.defaults());
    }

    MailService(TokenBroker broker, GraphGateway graph, Idempotency idempotency, GraphRetry retry) {
        this.broker = broker;
        this.graph = graph;
        this.idempotency = idempotency;
        this.retry = retry;
    }

    public ActionResult send(String connectionId, String idempotencyKey, String rawBody, MailRequest request) {
        // Refused before anything is recorded or sent when the connection cannot do this.
        broker.tokenFor(connectionId, scopes(request));
        if (!request.saveToSentItems() && totalAttachmentBytes(request) > INLINE_ATTACHMENT_LIMIT) {
            throw new io.m365connector.platform.RequestValidationException(List.of(new io.m365connector.platform.RequestValidationException.FieldError(
                    "saveToSentItems", "Attachments over 2.9 MB in total need saveToSentItems=true (they are added to a draft).")));
        }
        return idempotency.run(connectionId, idempotencyKey, "mail", Idempotency.requestHash("mail", rawBody),
                step -> request.saveToSentItems() ? sendAsDraft(connectionId, request, step) : sendDirect(connectionId, request));
    }

    private ActionResult sendAsDraft(String connectionId, MailRequest request, Idempotency.Step step) {
        String draftId = step.draftId();
        if (draftId != null && !step.attachmentsUploaded()) {
            // An earlier attempt stopped while uploading: start over with a fresh draft.
            deleteQuietly(connectionId, request, draftId);
            draftId = null;
        }
        if (draftId == null) {
            Message created = retry.notProcessedOnly(connectionId, () ->
                    mailbox(connectionId, request).messages().post(message(request, true)));
            draftId = created.getId();
            step.saveDraft(draftId, false);
            uploadLargeAttachments(connectionId, request, draftId);
            step.saveDraft(draftId, true);
        }
        for (int attempt = 1; ; attempt++) {
            String id = draftId;
            try {
                retry.notProcessedOnly(connectionId, () -> {
                    mailbox(connectionId, request).messages().byMessageId(id).send().post();
                    return null;
                });
                return sent(connectionId, request);
            } catch (GraphRetry.Ambiguous ambiguous) {
                DraftState state = draftState(connectionId, request, id);
                if (state == DraftState.DRAFT) {
                    pause(Duration.ofSeconds(1));
                    state = draftState(connectionId, request, id);
                }
                if (state != DraftState.DRAFT) {
                    return sent(connectionId, request);
                }
                if (attempt >= 3) {
                    throw ambiguous.failure().toException(connectionId);
                }
            } catch (ConnectorException e) {
                if (e.code() == ProblemCode.NOT_FOUND && step.draftId() != null) {
                    // A resumed request found its draft gone: the earlier attempt's send went through.
                    return sent(connectionId, request);
                }
                throw e;
            }
        }
    }

    private ActionResult sendDirect(String connectionId, MailRequest request) {
        try {
            retry.notProcessedOnly(connectionId, () -> {
                SendMailPostRequestBody body = new SendMailPostRequestBody();
                body.setMessage(message(request, true));
                body.setSaveToSentItems(false);
                mailbox(connectionId, request).sendMail().post(body);
                return null;
            });
        } catch (GraphRetry.Ambiguous ambiguous) {
            throw new GraphFailure.GraphException(ProblemCode.GRAPH_ERROR, "Microsoft Graph did not confirm the send, and with "
                    + "saveToSentItems=false it cannot be checked; it was not retried so the mail cannot go out twice.",
                    connectionId, null, null);
        }
        return sent(connectionId, request);
    }

    private enum DraftState { DRAFT, SENT, GONE }

    private DraftState draftState(String connectionId, MailRequest request, String draftId) {
        try {
            Message m = retry.idempotent(connectionId, () -> mailbox(connectionId, request).messages().byMessageId(draftId)
                    .get(rc -> rc.queryParameters.select = new String[] {"id", "isDraft"}));
            return Boolean.TRUE.equals(m.getIsDraft()) ? DraftState.DRAFT : DraftState.SENT;
        } catch (ConnectorException e) {
            if (e.code() == ProblemCode.NOT_FOUND) {
                return DraftState.GONE;
            }
            throw e;
        }
    }

    private void uploadLargeAttachments(String connectionId, MailRequest request, String draftId) {
        for (MailRequest.Attachment attachment : addedAttachments(request)) {
            retry.idempotent(connectionId, () -> mailbox(connectionId, request).messages().byMessageId(draftId).attachments()
                    .post(fileAttachment(attachment)));
        }
        for (MailRequest.Attachment attachment : largeAttachments(request)) {
            UploadSession session = retry.idempotent(connectionId, () -> {
                CreateUploadSessionPostRequestBody body = new CreateUploadSessionPostRequestBody();
                body.setAttachmentItem(uploadItem(attachment));
                return mailbox(connectionId, request).messages().byMessageId(draftId).attachments().createUploadSession().post(body);
            });
            upload(connectionId, session.getUploadUrl(), attachment.content());
        }
    }

    private static FileAttachment fileAttachment(MailRequest.Attachment a) {
        FileAttachment file = new FileAttachment();
        file.setOdataType("#microsoft.graph.fileAttachment");
        file.setName(a.name());
        file.setContentType(a.contentType());
        file.setContentBytes(a.content());
        file.setIsInline(a.inline());
        if (a.contentId() != null) {
            file.setContentId(a.contentId());
        }
        return file;
    }

    private static AttachmentItem uploadItem(MailRequest.Attachment attachment) {
        AttachmentItem item = new AttachmentItem();
        item.setAttachmentType(AttachmentType.File);
        item.setName(attachment.name());
        item.setSize((long) attachment.size());
        item.setContentType(attachment.contentType());
        item.setIsInline(attachment.inline());
        if (attachment.contentId() != null) {
            item.setContentId(attachment.contentId());
        }
        return item;
    }

    /** PUTs the bytes in chunks to the pre-authenticated upload URL (no Authorization header, as Graph requires). */
    private void upload(String connectionId, String uploadUrl, byte[] content) {
        if (uploadUrl == null || !uploadUrl.startsWith("https://")) {
            throw new ConnectorException(ProblemCode.GRAPH_ERROR, "Microsoft Graph returned no usable upload URL.", connectionId, null);
        }
        for (int offset = 0; offset < content.length; offset += UPLOAD_CHUNK) {
            int end = Math.min(content.length, offset + UPLOAD_CHUNK);
            byte[] chunk = java.util.Arrays.copyOfRange(content, offset, end);
            Request put = new Request.Builder().url(uploadUrl)
                    .header("Content-Range", "bytes " + offset + "-" + (end - 1) + "/" + content.length)
                    .put(RequestBody.create(chunk, MediaType.get("application/octet-stream")))
                    .build();
            try (Response response = graph.plain().newCall(put).execute()) {
                if (!response.isSuccessful()) {
                    throw new ConnectorException(response.code() >= 500 ? ProblemCode.TEMPORARILY_UNAVAILABLE : ProblemCode.GRAPH_ERROR,
                            "Uploading an attachment failed with HTTP " + response.code() + "; send the request again with the same Idempotency-Key.",
                            connectionId, null);
                }
            } catch (IOException e) {
                throw new ConnectorException(ProblemCode.TEMPORARILY_UNAVAILABLE,
                        "Uploading an attachment was interrupted; send the request again with the same Idempotency-Key.", connectionId, e);
            }
        }
    }

    private void deleteQuietly(String connectionId, MailRequest request, String draftId) {
        try {
            mailbox(connectionId, request).messages().byMessageId(draftId).delete();
        } catch (RuntimeException ignored) {
            // an orphaned draft is never sent; leaving it is harmless
        }
    }

    private UserItemRequestBuilder mailbox(String connectionId, MailRequest request) {
        AccessToken token = broker.tokenFor(connectionId, scopes(request));
        GraphServiceClient client = graph.client(token.connection().cloud(), token.value());
        return request.from() == null ? client.me() : client.users().byUserId(request.from());
    }

    private static ActionResult sent(String connectionId, MailRequest request) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("connectionId", connectionId);
        body.put("status", "sent");
        if (request.from() != null) {
            body.put("from", request.from());
        }
        body.put("recipients", request.to().size() + request.cc().size() + request.bcc().size());
        return new ActionResult(202, Json.write(body), false);
    }

    static Message message(MailRequest request, boolean withInlineAttachments) {
        Message m = new Message();
        m.setSubject(request.subject());
        ItemBody body = new ItemBody();
        body.setContentType("html".equals(request.bodyContentType()) ? BodyType.Html : BodyType.Text);
        body.setContent(request.body());
        m.setBody(body);
        m.setToRecipients(recipients(request.to()));
        m.setCcRecipients(recipients(request.cc()));
        m.setBccRecipients(recipients(request.bcc()));
        if (!request.replyTo().isEmpty()) {
            m.setReplyTo(recipients(request.replyTo()));
        }
        m.setImportance(switch (request.importance()) {
            case "low" -> Importance.Low;
            case "high" -> Importance.High;
            default -> Importance.Normal;
        });
        if (request.from() != null) {
            m.setFrom(recipient(new Recipient(request.from(), null)));
        }
        if (withInlineAttachments) {
            List<com.microsoft.graph.models.Attachment> attachments = new ArrayList<>();
            for (MailRequest.Attachment a : inlineAttachments(request)) {
                attachments.add(fileAttachment(a));
            }
            if (!attachments.isEmpty()) {
                m.setAttachments(attachments);
            }
        }
        return m;
    }

    /** Small attachments, smallest first, as many as fit in the draft request. */
    static List<MailRequest.Attachment> inlineAttachments(MailRequest request) {
        List<MailRequest.Attachment> sorted = new ArrayList<>(request.attachments());
        sorted.sort(java.util.Comparator.comparingInt(MailRequest.Attachment::size));
        List<MailRequest.Attachment> inline = new ArrayList<>();
        long total = 0;
        for (MailRequest.Attachment a : sorted) {
            if (a.size() <= INLINE_ATTACHMENT_LIMIT && total + a.size() <= INLINE_ATTACHMENT_LIMIT) {
                inline.add(a);
                total += a.size();
            }
        }
        return inline;
    }

    /** Small attachments that did not fit in the draft: added one request each. */
    static List<MailRequest.Attachment> addedAttachments(MailRequest request) {
        List<MailRequest.Attachment> inline = inlineAttachments(request);
        return request.attachments().stream()
                .filter(a -> a.size() <= INLINE_ATTACHMENT_LIMIT && inline.stream().noneMatch(i -> i == a)).toList();
    }

    /** Attachments too big for one request: uploaded in chunks through upload sessions. */
    static List<MailRequest.Attachment> largeAttachments(MailRequest request) {
        return request.attachments().stream().filter(a -> a.size() > INLINE_ATTACHMENT_LIMIT).toList();
    }

    private static long totalAttachmentBytes(MailRequest request) {
        return request.attachments().stream().mapToLong(MailRequest.Attachment::size).sum();
    }

    private static Set<String> scopes(MailRequest request) {
        return request.from() == null ? OWN : SHARED;
    }

    static List<com.microsoft.graph.models.Recipient> recipients(List<Recipient> list) {
        List<com.microsoft.graph.models.Recipient> result = new ArrayList<>();
        list.forEach(r -> result.add(recipient(r)));
        return result;
    }

    static com.microsoft.graph.models.Recipient recipient(Recipient r) {
        EmailAddress address = new EmailAddress();
        address.setAddress(r.address());
        if (r.name() != null) {
            address.setName(r.name());
        }
        com.microsoft.graph.models.Recipient recipient = new com.microsoft.graph.models.Recipient();
        recipient.setEmailAddress(address);
        return recipient;
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
