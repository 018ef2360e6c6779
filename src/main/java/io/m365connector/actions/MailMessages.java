package io.m365connector.actions;

import com.microsoft.graph.models.Attachment;
import com.microsoft.graph.models.AttachmentItem;
import com.microsoft.graph.models.AttachmentType;
import com.microsoft.graph.models.BodyType;
import com.microsoft.graph.models.EmailAddress;
import com.microsoft.graph.models.FileAttachment;
import com.microsoft.graph.models.Importance;
import com.microsoft.graph.models.ItemBody;
import com.microsoft.graph.models.Message;
import com.microsoft.graph.models.Recipient;
import com.microsoft.graph.models.SingleValueLegacyExtendedProperty;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.graph.users.item.UserItemRequestBuilder;
import io.m365connector.outlook.MailRecipient;
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
     * A named MAPI property on each draft holding a random marker, so a draft whose creation answered
     * ambiguously can be found again (Graph's $filter on singleValueExtendedProperties).
     */
    static final String MARKER_PROPERTY = "String {4f8a3d2e-6b1c-4e7a-9d35-0c2b7e8f1a64} Name m365ConnectorSend";

    private MailMessages() {
    }

    /** Where the message goes from: the user's own mailbox, or the shared mailbox in {@code from}. */
    static UserItemRequestBuilder mailbox(GraphServiceClient client, MailRequest request) {
        return request.from() == null ? client.me() : client.users().byUserId(request.from());
    }

    /** The message; with {@code marker} it is tagged for {@link #MARKER_PROPERTY} lookups. */
    static Message message(MailRequest request, String marker) {
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
            m.setFrom(recipient(new MailRecipient(request.from(), null)));
        }
        List<Attachment> attachments = new ArrayList<>();
        inlineAttachments(request).forEach(a -> attachments.add(fileAttachment(a)));
        if (!attachments.isEmpty()) {
            m.setAttachments(attachments);
        }
        if (marker != null) {
            SingleValueLegacyExtendedProperty property = new SingleValueLegacyExtendedProperty();
            property.setId(MARKER_PROPERTY);
            property.setValue(marker);
            m.setSingleValueExtendedProperties(List.of(property));
        }
        return m;
    }

    /** The OData filter that finds drafts carrying {@code marker}. */
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

    static FileAttachment fileAttachment(MailRequest.Attachment a) {
        FileAttachment file = new FileAttachment();
        file.setOdataType("#microsoft.graph.fileAttachment");
        file.setName(a.name());
        file.setContentType(a.contentType());
        file.setContentBytes(a.content().toArray());
        file.setIsInline(a.inline());
        if (a.contentId() != null) {
            file.setContentId(a.contentId());
        }
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

    static List<Recipient> recipients(List<MailRecipient> list) {
        List<Recipient> result = new ArrayList<>();
        list.forEach(r -> result.add(recipient(r)));
        return result;
    }

    static Recipient recipient(MailRecipient r) {
        EmailAddress address = new EmailAddress();
        address.setAddress(r.address());
        if (r.name() != null) {
            address.setName(r.name());
        }
        Recipient recipient = new Recipient();
        recipient.setEmailAddress(address);
        return recipient;
    }
}
