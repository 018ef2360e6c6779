package io.m365connector.reading;

import com.microsoft.graph.models.Attachment;
import com.microsoft.graph.models.AttachmentCollectionResponse;
import com.microsoft.graph.models.FileAttachment;
import com.microsoft.graph.models.Message;
import com.microsoft.graph.models.MessageCollectionResponse;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.graph.GraphAccess;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.graph.GraphSession;
import io.m365connector.outlook.OutlookPrefer;
import io.m365connector.platform.Bytes;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import java.util.List;
import java.util.Objects;

/**
 * Reads the connected user's mail (or a shared mailbox's, {@link Mailbox}): a folder's messages (newest first, filtered and paged), one message
 * with its body and attachment list, one attachment's bytes. Every read asks Graph for immutable ids
 * ({@code Prefer: IdType="ImmutableId"}), so an id the web app stored stays valid when the message moves.
 */
public final class MailReader {
    /** The largest attachment returned (Exchange Online's largest message is 150 MB; an HTTP answer of that size is not sensible). */
    public static final int MAX_ATTACHMENT_BYTES = 35 * 1024 * 1024;

    private final GraphAccess graph;

    public MailReader(GraphAccess graph) {
        this.graph = Objects.requireNonNull(graph, "'graph' cannot be null.");
    }

    public MessagePage list(ConnectionRef ref, MessageQuery query) {
        GraphSession session = graph.open(ref, query.mailbox().mail());
        MessageCollectionResponse page = session.call(Safety.REPEATABLE, c -> query.mailbox().in(c).mailFolders().byMailFolderId(query.folder())
                .messages().get(rc -> {
                    rc.queryParameters.top = query.pageSize();
                    rc.queryParameters.skip = query.skip() == 0 ? null : query.skip();
                    rc.queryParameters.filter = query.graphFilter();
                    rc.queryParameters.orderby = new String[] {"receivedDateTime desc"};
                    rc.queryParameters.select = MessageSummary.SELECT;
                    rc.headers.add("Prefer", OutlookPrefer.IMMUTABLE_IDS);
                }));
        List<Message> messages = page == null || page.getValue() == null ? List.of() : page.getValue();
        boolean more = page != null && page.getOdataNextLink() != null;
        return new MessagePage(session.connectionId(), query.folder(), messages.stream().map(MessageSummary::of).toList(),
                more ? query.cursorFor(query.skip() + messages.size()) : null);
    }

    /** The message with its body as {@code text} or {@code html} (Graph converts) and its attachments' metadata. */
    public MessageDetails get(ConnectionRef ref, Mailbox mailbox, ItemId messageId, String bodyType) {
        GraphSession session = graph.open(ref, mailbox.mail());
        Message message = session.call(Safety.REPEATABLE, c -> mailbox.in(c).messages().byMessageId(messageId.value()).get(rc -> {
            rc.queryParameters.select = MessageDetails.SELECT;
            rc.headers.add("Prefer", OutlookPrefer.IMMUTABLE_IDS);
            rc.headers.add("Prefer", "outlook.body-content-type=\"" + bodyType + "\"");
        }));
        AttachmentCollectionResponse attachments = session.call(Safety.REPEATABLE, c -> mailbox.in(c).messages().byMessageId(messageId.value())
                .attachments().get(rc -> {
                    rc.queryParameters.select = MessageDetails.AttachmentInfo.SELECT;
                    rc.headers.add("Prefer", OutlookPrefer.IMMUTABLE_IDS);
                }));
        return MessageDetails.of(session.connectionId(), message,
                attachments == null || attachments.getValue() == null ? List.of() : attachments.getValue());
    }

    /** A file attachment's bytes; 413 over {@link #MAX_ATTACHMENT_BYTES} before they are fetched, 422 for an item or a link. */
    public AttachmentContent attachment(ConnectionRef ref, Mailbox mailbox, ItemId messageId, ItemId attachmentId) {
        GraphSession session = graph.open(ref, mailbox.mail());
        Attachment info = session.call(Safety.REPEATABLE, c -> mailbox.in(c).messages().byMessageId(messageId.value()).attachments()
                .byAttachmentId(attachmentId.value()).get(rc -> {
                    rc.queryParameters.select = MessageDetails.AttachmentInfo.SELECT;
                    rc.headers.add("Prefer", OutlookPrefer.IMMUTABLE_IDS);
                }));
        if (info.getSize() != null && info.getSize() > MAX_ATTACHMENT_BYTES) {
            throw new ConnectorException(ProblemCode.PAYLOAD_TOO_LARGE, "The attachment has " + info.getSize() + " bytes; at most "
                    + MAX_ATTACHMENT_BYTES + " are returned. Open it in Outlook instead.", session.connectionId(), null);
        }
        Attachment full = session.call(Safety.REPEATABLE, c -> mailbox.in(c).messages().byMessageId(messageId.value()).attachments()
                .byAttachmentId(attachmentId.value()).get(rc -> rc.headers.add("Prefer", OutlookPrefer.IMMUTABLE_IDS)));
        if (!(full instanceof FileAttachment file) || file.getContentBytes() == null) {
            throw new ConnectorException(ProblemCode.INVALID_REQUEST,
                    "This attachment is an attached Outlook item or a link, not a file: it has no bytes to return.", session.connectionId(), null);
        }
        return new AttachmentContent(file.getName(), file.getContentType() == null ? "application/octet-stream" : file.getContentType(),
                Bytes.copyOf(file.getContentBytes()));
    }
}
