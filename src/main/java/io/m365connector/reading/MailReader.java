package io.m365connector.reading;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.graph.GraphAccess;
import io.m365connector.graph.GraphJsonRequests;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.graph.GraphSession;
import io.m365connector.graph.GraphTemplates;
import io.m365connector.graph.GraphValues;
import io.m365connector.outlook.OutlookPrefer;
import io.m365connector.platform.Bytes;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the connected user's mail (or a shared mailbox's, {@link Mailbox}): a folder's messages (newest first, filtered and paged), one message
 * with its body and attachment list, one attachment's bytes. Every read asks Graph for immutable ids
 * ({@code Prefer: IdType="ImmutableId"}), so an id the web app stored stays valid when the message moves.
 */
public final class MailReader {
    /** The largest attachment returned (Exchange Online's largest message is 150 MB; an HTTP answer of that size is not sensible). */
    public static final int MAX_ATTACHMENT_BYTES = 35 * 1024 * 1024;

    // Graph's URI templates (as the SDK's request builders have them) under a mailbox's template (Mailbox.template()).
    private static final String ATTACHMENTS = "/messages/{message%2Did}/attachments" + GraphTemplates.COLLECTION_QUERY;
    private static final String ATTACHMENT = "/messages/{message%2Did}/attachments/{attachment%2Did}{?%24expand,%24select}";
    private static final String ATTACHMENT_VALUE = "/messages/{message%2Did}/attachments/{attachment%2Did}/$value";
    private static final String FILE_ATTACHMENT = "#microsoft.graph.fileAttachment";

    private final GraphAccess graph;

    public MailReader(GraphAccess graph) {
        this.graph = Objects.requireNonNull(graph, "'graph' cannot be null.");
    }

    public MessagePage list(ConnectionRef ref, MessageQuery query) {
        GraphSession session = graph.open(ref, query.mailbox().mail());
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("%24top", query.pageSize());
        parameters.put("%24skip", query.skip() == 0 ? null : query.skip());
        parameters.put("%24filter", query.graphFilter());
        parameters.put("%24orderby", new String[] {"receivedDateTime desc"});
        parameters.put("%24select", MessageSummary.SELECT);
        JsonNode page = session.call(Safety.REPEATABLE, c -> GraphJsonRequests.get(c, query.mailbox().template() + GraphTemplates.FOLDER_MESSAGES,
                query.mailbox().parameters("mailFolder%2Did", query.folder()), parameters, List.of(OutlookPrefer.IMMUTABLE_IDS)));
        List<JsonNode> messages = GraphValues.list(page, "value");
        boolean more = GraphValues.text(page, "@odata.nextLink") != null && !messages.isEmpty();
        List<Instant> received = messages.stream().map(m -> GraphValues.time(m, "receivedDateTime"))
                .map(t -> t == null ? null : t.toInstant()).toList();
        return new MessagePage(session.connectionId(), query.folder(), messages.stream().map(MessageSummary::of).toList(),
                more ? query.cursorAfter(received) : null);
    }

    /** The message with its body as {@code text} or {@code html} (Graph converts) and its attachments' metadata. */
    public MessageDetails get(ConnectionRef ref, Mailbox mailbox, ItemId messageId, String bodyType) {
        GraphSession session = graph.open(ref, mailbox.mail());
        JsonNode message = session.call(Safety.REPEATABLE, c -> GraphJsonRequests.get(c, mailbox.template() + GraphTemplates.MESSAGE,
                mailbox.parameters("message%2Did", messageId.value()), Map.of("%24select", MessageDetails.SELECT),
                List.of(OutlookPrefer.IMMUTABLE_IDS, "outlook.body-content-type=\"" + bodyType + "\"")));
        JsonNode attachments = session.call(Safety.REPEATABLE, c -> GraphJsonRequests.get(c, mailbox.template() + ATTACHMENTS,
                mailbox.parameters("message%2Did", messageId.value()), Map.of("%24select", MessageDetails.AttachmentInfo.SELECT),
                List.of(OutlookPrefer.IMMUTABLE_IDS)));
        return MessageDetails.of(session.connectionId(), message, // never null: GraphJsonRequests.get takes only a JSON object
                GraphValues.list(attachments, "value"));
    }

    /** A file attachment's bytes; 413 over {@link #MAX_ATTACHMENT_BYTES} before they are fetched, 422 for an item or a link. */
    public AttachmentContent attachment(ConnectionRef ref, Mailbox mailbox, ItemId messageId, ItemId attachmentId) {
        GraphSession session = graph.open(ref, mailbox.mail());
        Map<String, Object> path = mailbox.parameters("message%2Did", messageId.value(), "attachment%2Did", attachmentId.value());
        JsonNode info = session.call(Safety.REPEATABLE, c -> GraphJsonRequests.get(c, mailbox.template() + ATTACHMENT, path,
                Map.of("%24select", MessageDetails.AttachmentInfo.SELECT), List.of(OutlookPrefer.IMMUTABLE_IDS)));
        Integer size = GraphValues.integer(info, "size");
        if (size != null && size > MAX_ATTACHMENT_BYTES) {
            throw new ConnectorException(ProblemCode.PAYLOAD_TOO_LARGE, "The attachment has " + size + " bytes; at most "
                    + MAX_ATTACHMENT_BYTES + " are returned. Open it in Outlook instead.", session.connectionId(), null);
        }
        if (!FILE_ATTACHMENT.equals(GraphValues.text(info, "@odata.type"))) {
            throw new ConnectorException(ProblemCode.INVALID_REQUEST,
                    "This attachment is an attached Outlook item or a link, not a file: it has no bytes to return.", session.connectionId(), null);
        }
        // the raw bytes (Learn: Get attachment, "Get the raw contents of a file attachment"): a 35 MB file was a 47 MB base64
        // string in a JSON tree, decoded and copied twice, ~200 MB per download; now the bytes and two copies
        byte[] content = session.call(Safety.REPEATABLE, c -> {
            byte[] raw = GraphJsonRequests.getBytes(c, mailbox.template() + ATTACHMENT_VALUE, path, MAX_ATTACHMENT_BYTES);
            if (raw.length == 0 && size != null && size > 0) {
                throw GraphJsonRequests.brokenAnswer("Microsoft Graph answered no bytes for an attachment of " + size); // read again
            }
            return raw;
        });
        if (content.length > MAX_ATTACHMENT_BYTES) { // larger than its size said: refused as the size would have been
            throw new ConnectorException(ProblemCode.PAYLOAD_TOO_LARGE, "The attachment has more than " + MAX_ATTACHMENT_BYTES
                    + " bytes; at most that many are returned. Open it in Outlook instead.", session.connectionId(), null);
        }
        String contentType = GraphValues.text(info, "contentType");
        return new AttachmentContent(GraphValues.text(info, "name"), contentType == null ? "application/octet-stream" : contentType,
                Bytes.copyOf(content));
    }
}
