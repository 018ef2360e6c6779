package io.m365connector.reading;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.graph.GraphValues;
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
        /** A recipient of Graph's JSON ({@code {"emailAddress": {"address", "name"}}}); null when it has no address object. */
        static Address of(JsonNode recipient) {
            JsonNode address = recipient == null ? null : recipient.get("emailAddress");
            return address == null || address.isNull() ? null : new Address(GraphValues.text(address, "address"), GraphValues.text(address, "name"));
        }

        /** A recipient list property of {@code item} (none when absent). */
        static List<Address> list(JsonNode item, String name) {
            return GraphValues.list(item, name).stream().map(Address::of).filter(a -> a != null).toList();
        }
    }

    /** From Graph's JSON for a message read with {@link #SELECT}. */
    static MessageSummary of(JsonNode m) {
        return new MessageSummary(GraphValues.text(m, "id"), GraphValues.text(m, "parentFolderId"), GraphValues.time(m, "receivedDateTime"),
                Address.of(m.get("from")), Address.list(m, "toRecipients"), GraphValues.text(m, "subject"), GraphValues.text(m, "bodyPreview"),
                GraphValues.bool(m, "isRead"), GraphValues.bool(m, "hasAttachments"), GraphValues.text(m, "internetMessageId"));
    }
}
