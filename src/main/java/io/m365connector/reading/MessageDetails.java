package io.m365connector.reading;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.graph.GraphValues;
import java.time.OffsetDateTime;
import java.util.List;

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

        static AttachmentInfo of(JsonNode a) {
            String type = GraphValues.text(a, "@odata.type") == null ? "" : GraphValues.text(a, "@odata.type");
            String kind = type.endsWith("fileAttachment") ? "file" : type.endsWith("itemAttachment") ? "item"
                    : type.endsWith("referenceAttachment") ? "reference" : null;
            return new AttachmentInfo(GraphValues.text(a, "id"), GraphValues.text(a, "name"), GraphValues.text(a, "contentType"),
                    GraphValues.integer(a, "size"), GraphValues.bool(a, "isInline"), kind);
        }
    }

    /** From Graph's JSON for a message read with {@link #SELECT}, and its attachments read with {@link AttachmentInfo#SELECT}. */
    static MessageDetails of(String connectionId, JsonNode m, List<JsonNode> attachments) {
        JsonNode b = m.get("body");
        Body body = b == null || b.isNull() ? null : new Body(GraphValues.member(GraphValues.text(b, "contentType"), "text", "html"),
                GraphValues.text(b, "content"));
        return new MessageDetails(connectionId, GraphValues.text(m, "id"), GraphValues.text(m, "parentFolderId"),
                GraphValues.time(m, "receivedDateTime"), MessageSummary.Address.of(m.get("from")), MessageSummary.Address.list(m, "toRecipients"),
                MessageSummary.Address.list(m, "ccRecipients"), GraphValues.text(m, "subject"), GraphValues.bool(m, "isRead"),
                GraphValues.text(m, "internetMessageId"), GraphValues.text(m, "conversationId"), body,
                attachments.stream().map(AttachmentInfo::of).toList());
    }
}
