package io.m365connector.actions;

import com.microsoft.graph.models.UploadSession;
import com.microsoft.graph.users.item.messages.item.attachments.createuploadsession.CreateUploadSessionPostRequestBody;
import io.m365connector.graph.GraphAccess;
import io.m365connector.graph.GraphJsonRequests;
import io.m365connector.graph.GraphRetry;
import io.m365connector.graph.GraphSession;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import java.io.IOException;
import java.util.Arrays;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Puts the attachments that did not fit in the draft request on the draft: one POST each for small
 * ones, upload sessions in chunks for large ones. Any failure here leaves the draft incomplete; the
 * send is then retried from a new draft (the progress record says the upload did not finish), so a
 * repeated POST can never put an attachment on a mail twice.
 */
final class AttachmentUploader {
    /** Upload chunks must be multiples of 320 KiB; 12 x 320 KiB stays under Graph's 4 MiB per request. */
    static final int UPLOAD_CHUNK = 12 * 320 * 1024;

    private final GraphAccess graph;

    AttachmentUploader(GraphAccess graph) {
        this.graph = graph;
    }

    void upload(GraphSession session, MailRequest request, String draftId) {
        for (MailRequest.Attachment attachment : MailMessages.addedAttachments(request)) {
            try {
                session.run(GraphRetry.Safety.ONCE, client -> GraphJsonRequests.post(client,
                        GraphJsonRequests.mailbox(request.from()) + "/messages/{message%2Did}/attachments",
                        GraphJsonRequests.parameters(request.from(), "message%2Did", draftId), MailMessages.fileAttachment(attachment)));
            } catch (GraphRetry.Ambiguous ambiguous) {
                throw ambiguous.failure().toException(session.connectionId());
            }
        }
        for (MailRequest.Attachment attachment : MailMessages.largeAttachments(request)) {
            // An unused upload session expires by itself: creating one twice is harmless.
            UploadSession upload = session.call(GraphRetry.Safety.REPEATABLE, client -> {
                CreateUploadSessionPostRequestBody body = new CreateUploadSessionPostRequestBody();
                body.setAttachmentItem(MailMessages.uploadItem(attachment));
                return MailMessages.mailbox(client.sdk(), request).messages().byMessageId(draftId).attachments().createUploadSession().post(body);
            });
            put(session, upload.getUploadUrl(), attachment.content().toArray());
        }
    }

    /** PUTs the bytes in chunks to the pre-authenticated upload URL (no Authorization header, as Graph requires). */
    private void put(GraphSession session, String uploadUrl, byte[] content) {
        String connectionId = session.connectionId();
        if (uploadUrl == null || !uploadUrl.startsWith("https://")) {
            throw new ConnectorException(ProblemCode.GRAPH_ERROR, "Microsoft Graph returned no usable upload URL.", connectionId, null);
        }
        for (int offset = 0; offset < content.length; offset += UPLOAD_CHUNK) {
            session.beforeAttempt();
            int end = Math.min(content.length, offset + UPLOAD_CHUNK);
            Request put = new Request.Builder().url(uploadUrl)
                    .header("Content-Range", "bytes " + offset + "-" + (end - 1) + "/" + content.length)
                    .put(RequestBody.create(Arrays.copyOfRange(content, offset, end), MediaType.get("application/octet-stream")))
                    .build();
            try (Response response = graph.plain().newCall(put).execute()) {
                if (!response.isSuccessful()) {
                    throw new ConnectorException(response.code() >= 500 || response.code() == 429 ? ProblemCode.TEMPORARILY_UNAVAILABLE
                            : ProblemCode.GRAPH_ERROR, "Uploading an attachment failed with HTTP " + response.code()
                            + "; send the request again with the same Idempotency-Key.", connectionId, null);
                }
            } catch (IOException e) {
                throw new ConnectorException(ProblemCode.TEMPORARILY_UNAVAILABLE,
                        "Uploading an attachment was interrupted; send the request again with the same Idempotency-Key.", connectionId, e);
            }
        }
    }
}
