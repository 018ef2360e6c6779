package io.m365connector.reading;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.microsoft.graph.models.Attachment;
import com.microsoft.graph.models.Message;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;

/** One message with its body (text or HTML, as asked) and the metadata of its attachments (content is fetched one by one). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MessageDetails(String connectionId, String id, String folderId, OffsetDateTime receivedAt, MessageSummary.Address from,
                             List<MessageSummary.Address> to, List<MessageSummary.Address> cc, String subject, Boolean isRead,
                             String internetMessageId, String conversationId, Body body, List<AttachmentInfo> attachments) {
    static final String[] SELECT = {"id", "parentFolderId", "receivedDateTime", "from", "toRecipients", "ccRecipients", "subject",
        "isRead", "internetMessageId", "conversationId", "body"};

    /** The body in the format asked for ({@code text} or {@code html}). */
    public record Body(String contentType, String content) {
    }

    /** An attachment without its content: GET .../attachments/{attachmentId} returns the bytes. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AttachmentInfo(String id, String name, String contentType, Integer size, Boolean isInline, String kind) {
        static final String[] SELECT = {"id", "name", "contentType", "size", "isInline"};

        static AttachmentInfo of(Attachment a) {
            String type = a.getOdataType() == null ? "" : a.getOdataType();
            String kind = type.endsWith("fileAttachment") ? "file" : type.endsWith("itemAttachment") ? "item"
                    : type.endsWith("referenceAttachment") ? "reference" : null;
            return new AttachmentInfo(a.getId(), a.getName(), a.getContentType(), a.getSize(), a.getIsInline(), kind);
        }
    }

    static MessageDetails of(String connectionId, Message m, List<Attachment> attachments) {
        Body body = m.getBody() == null ? null : new Body(m.getBody().getContentType() == null ? null
                : m.getBody().getContentType().getValue().toLowerCase(Locale.ROOT), m.getBody().getContent());
        return new MessageDetails(connectionId, m.getId(), m.getParentFolderId(), m.getReceivedDateTime(),
                MessageSummary.Address.of(m.getFrom()), MessageSummary.Address.of(m.getToRecipients()),
                MessageSummary.Address.of(m.getCcRecipients()), m.getSubject(), m.getIsRead(), m.getInternetMessageId(),
                m.getConversationId(), body, attachments.stream().map(AttachmentInfo::of).toList());
    }
}
