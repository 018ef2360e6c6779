package io.m365connector.reading;

import io.m365connector.platform.RequestValidationException;
import java.util.Map;
import java.util.Set;

/**
 * The query of a read of one message or one attachment: the mailbox, and for a message its body's type. Unknown names
 * are refused as on the listings, so that a misspelt {@code bodytype=text} is not answered in HTML as if all were well.
 */
public record ItemQuery(Mailbox mailbox, String bodyType) {
    private static final Set<String> MESSAGE = Set.of(Mailbox.PARAMETER, "bodyType", "code");
    private static final Set<String> ATTACHMENT = Set.of(Mailbox.PARAMETER, "code");

    /** GET /messages/{messageId}: {@code mailbox}, {@code bodyType} (html, the default, or text). */
    public static ItemQuery message(Map<String, String> query) {
        QueryParameters p = new QueryParameters(query, MESSAGE, new RequestValidationException.Collector());
        Mailbox mailbox = Mailbox.parse(p);
        String bodyType = p.text("bodyType") == null ? "html" : p.text("bodyType");
        if (!bodyType.equals("html") && !bodyType.equals("text")) {
            p.errors().add("bodyType", "Must be text or html.");
        }
        p.errors().throwIfAny();
        return new ItemQuery(mailbox, bodyType);
    }

    /** GET /messages/{messageId}/attachments/{attachmentId}: {@code mailbox}. */
    public static ItemQuery attachment(Map<String, String> query) {
        QueryParameters p = new QueryParameters(query, ATTACHMENT, new RequestValidationException.Collector());
        Mailbox mailbox = Mailbox.parse(p);
        p.errors().throwIfAny();
        return new ItemQuery(mailbox, null);
    }
}
