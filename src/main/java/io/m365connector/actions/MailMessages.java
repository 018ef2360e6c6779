package io.m365connector.actions;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.graph.models.AttachmentItem;
import com.microsoft.graph.models.AttachmentType;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.graph.users.item.UserItemRequestBuilder;
import io.m365connector.outlook.MailRecipient;
import io.m365connector.platform.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Graph models for a {@link MailRequest}: the message, its attachments, and which attachments
 * travel how (in the draft, one POST each, or through upload sessions). Built fresh for every
 * attempt: the SDK's backing store sends only changed values of a model it already sent.
 */
final class MailMessages {
    /**
     * A named MAPI property on each draft, and on each message sendMail keeps in Sent Items, holding a random marker, so a
     * draft whose creation answered ambiguously, or the copy of a mail whose send did, can be found (Graph's $filter on
     * singleValueExtendedProperties; for sendMail the way Microsoft advises to find what it sent: microsoft-graph-docs
     * issue 3766).
     */
    static final String MARKER_PROPERTY = "String {4f8a3d2e-6b1c-4e7a-9d35-0c2b7e8f1a64} Name m365ConnectorSend";

    private MailMessages() {
    }

    /** Where the message goes from: the user's own mailbox, or the shared mailbox in {@code from}. */
    static UserItemRequestBuilder mailbox(GraphServiceClient client, MailRequest request) {
        return request.from() == null ? client.me() : client.users().byUserId(request.from());
    }

    /**
     * The message as Graph's JSON; with {@code marker} it is tagged for {@link #MARKER_PROPERTY} lookups. Written here
     * rather than through the SDK's {@code Message} model: every model deriving from {@code Entity} makes the JVM's
     * verifier load ~1,100 other model classes the first time one is used, a quarter of a cold send (BENCHMARKS.md).
     * {@code MailJsonTest} checks that each body is the one the SDK's model would send.
     */
    static byte[] message(MailRequest request, String marker) {
        return Json.bytes(messageNode(request, marker));
    }

    /**
     * The body of {@code sendMail}; with {@code marker} the copy is kept in Sent Items, tagged so that it can be found
     * there ({@link #markerFilter}), without it none is kept.
     */
    static byte[] sendMail(MailRequest request, String marker) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        // The names as the Graph SDK writes them (from Graph's OpenAPI description of the action); Graph reads either case.
        body.set("Message", messageNode(request, marker));
        body.put("SaveToSentItems", marker != null);
        return Json.bytes(body);
    }

    /** Every attachment travels inside the message: one request can send it (sendMail), no draft needed. */
    static boolean fitsOneRequest(MailRequest request) {
        return inlineAttachments(request).size() == request.attachments().size();
    }

    private static ObjectNode messageNode(MailRequest request, String marker) {
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("@odata.type", "#microsoft.graph.message");
        m.put("subject", request.subject());
        ObjectNode body = m.putObject("body");
        body.put("content", request.body());
        body.put("contentType", "html".equals(request.bodyContentType()) ? "html" : "text");
        m.set("toRecipients", recipients(request.to()));
        m.set("ccRecipients", recipients(request.cc()));
        m.set("bccRecipients", recipients(request.bcc()));
        if (!request.replyTo().isEmpty()) {
            m.set("replyTo", recipients(request.replyTo()));
        }
        m.put("importance", switch (request.importance()) {
            case "low", "high" -> request.importance();
            default -> "normal";
        });
        if (request.from() != null) {
            m.set("from", recipient(new MailRecipient(request.from(), null)));
        }
        List<MailRequest.Attachment> inline = inlineAttachments(request);
        if (!inline.isEmpty()) {
            ArrayNode attachments = m.putArray("attachments");
            inline.forEach(a -> attachments.add(fileAttachmentNode(a)));
        }
        if (marker != null) {
            m.putArray("singleValueExtendedProperties").addObject().put("id", MARKER_PROPERTY).put("value", marker);
        }
        return m;
    }

    /** The OData filter that finds the messages (a draft, a copy in Sent Items) carrying {@code marker}. */
    static String markerFilter(String marker) {
        return "singleValueExtendedProperties/Any(ep: ep/id eq '" + MARKER_PROPERTY + "' and ep/value eq '" + marker + "')";
    }

    /** Small attachments, smallest first, as many as fit in the draft request. */
    static List<MailRequest.Attachment> inlineAttachments(MailRequest request) {
        List<MailRequest.Attachment> sorted = new ArrayList<>(request.attachments());
        sorted.sort(Comparator.comparingInt(MailRequest.Attachment::size));
        List<MailRequest.Attachment> inline = new ArrayList<>();
        long total = 0;
        for (MailRequest.Attachment a : sorted) {
            if (a.size() <= MailRequest.MAX_INLINE_ATTACHMENT_BYTES && total + a.size() <= MailRequest.MAX_INLINE_ATTACHMENT_BYTES) {
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
                .filter(a -> a.size() <= MailRequest.MAX_INLINE_ATTACHMENT_BYTES && inline.stream().noneMatch(i -> i == a)).toList();
    }

    /** Attachments too big for one request: uploaded in chunks through upload sessions. */
    static List<MailRequest.Attachment> largeAttachments(MailRequest request) {
        return request.attachments().stream().filter(a -> a.size() > MailRequest.MAX_INLINE_ATTACHMENT_BYTES).toList();
    }

    /** One attachment as Graph's JSON, for a POST of its own. */
    static byte[] fileAttachment(MailRequest.Attachment a) {
        return Json.bytes(fileAttachmentNode(a));
    }

    private static ObjectNode fileAttachmentNode(MailRequest.Attachment a) {
        ObjectNode file = Json.MAPPER.createObjectNode();
        file.put("@odata.type", "#microsoft.graph.fileAttachment");
        file.put("contentType", a.contentType());
        file.put("isInline", a.inline());
        file.put("name", a.name());
        if (a.contentId() != null) {
            file.put("contentId", a.contentId());
        }
        file.put("contentBytes", a.content().toArray());
        return file;
    }

    static AttachmentItem uploadItem(MailRequest.Attachment attachment) {
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

    private static ArrayNode recipients(List<MailRecipient> list) {
        ArrayNode result = Json.MAPPER.createArrayNode();
        list.forEach(r -> result.add(recipient(r)));
        return result;
    }

    private static ObjectNode recipient(MailRecipient r) {
        ObjectNode recipient = Json.MAPPER.createObjectNode();
        ObjectNode address = recipient.putObject("emailAddress");
        address.put("address", r.address());
        if (r.name() != null) {
            address.put("name", r.name());
        }
        return recipient;
    }
}
