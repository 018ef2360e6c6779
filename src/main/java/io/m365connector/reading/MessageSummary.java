package io.m365connector.reading;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.microsoft.graph.models.Message;
import com.microsoft.graph.models.Recipient;
import java.time.OffsetDateTime;
import java.util.List;

/** One message as a listing shows it: who, when, what, and whether it was read. Ids are immutable (they survive folder moves). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MessageSummary(String id, String folderId, OffsetDateTime receivedAt, Address from, List<Address> to, String subject,
                             String preview, Boolean isRead, Boolean hasAttachments, String internetMessageId) {
    /** Graph's fields for a summary. */
    static final String[] SELECT = {"id", "parentFolderId", "receivedDateTime", "from", "toRecipients", "subject", "bodyPreview", "isRead",
        "hasAttachments", "internetMessageId"};

    /** A name and an e-mail address. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Address(String address, String name) {
        static Address of(Recipient r) {
            return r == null || r.getEmailAddress() == null ? null : new Address(r.getEmailAddress().getAddress(), r.getEmailAddress().getName());
        }

        static List<Address> of(List<Recipient> list) {
            return list == null ? List.of() : list.stream().map(Address::of).filter(a -> a != null).toList();
        }
    }

    static MessageSummary of(Message m) {
        return new MessageSummary(m.getId(), m.getParentFolderId(), m.getReceivedDateTime(), Address.of(m.getFrom()),
                Address.of(m.getToRecipients()), m.getSubject(), m.getBodyPreview(), m.getIsRead(), m.getHasAttachments(),
                m.getInternetMessageId());
    }
}
