package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/** How the fake fills in a message's data: one received, the Sent Items copy of one sent, a recipient's copy. */
final class MailData {
    private MailData() {
    }

    static ObjectNode received(ObjectNode in, String upn, Instant now) {
        ObjectNode m = in.deepCopy();
        m.remove(List.of("id", "parentFolderId", "@odata.etag", "@odata.context"));
        String received = m.hasNonNull("receivedDateTime") ? m.get("receivedDateTime").asText() : SyncValues.time(now);
        m.put("receivedDateTime", received);
        if (!m.hasNonNull("sentDateTime")) {
            m.put("sentDateTime", received);
        }
        m.put("createdDateTime", SyncValues.time(now));
        if (!m.has("isRead")) {
            m.put("isRead", false);
        }
        m.put("isDraft", false);
        defaults(m, upn);
        prepareAttachments(m, now);
        touch(m, now);
        return m;
    }

    static ObjectNode sentCopy(ObjectNode delivered, Instant now) {
        ObjectNode m = delivered.deepCopy();
        m.remove(List.of("id", "saveToSentItems", "parentFolderId", "webLink"));
        m.put("receivedDateTime", SyncValues.time(now));
        m.put("sentDateTime", SyncValues.time(now));
        m.put("createdDateTime", SyncValues.time(now));
        m.put("isRead", true);
        m.put("isDraft", false);
        defaults(m, null);
        prepareAttachments(m, now);
        touch(m, now);
        return m;
    }

    static ObjectNode inboxCopy(ObjectNode sent, Instant now) {
        ObjectNode m = sent.deepCopy();
        m.putArray("bccRecipients");
        m.put("isRead", false);
        for (JsonNode a : m.path("attachments")) {
            ((ObjectNode) a).put("id", SyncValues.defaultId());
        }
        touch(m, now);
        return m;
    }

    /** A change: new lastModifiedDateTime and changeKey. */
    static void touch(ObjectNode m, Instant now) {
        m.put("lastModifiedDateTime", SyncValues.time(now));
        m.put("changeKey", SyncValues.token(12));
    }

    private static void defaults(ObjectNode m, String upn) {
        if (!m.hasNonNull("from")) {
            m.set("from", GraphJson.recipient("sender@fabrikam.example", "Fabrikam Sender"));
        }
        if (!m.hasNonNull("sender")) {
            m.set("sender", m.get("from").deepCopy());
        }
        if (!m.hasNonNull("toRecipients")) {
            m.set("toRecipients", upn == null ? GraphJson.array() : GraphJson.array().add(GraphJson.recipient(upn, upn)));
        }
        for (String list : List.of("ccRecipients", "bccRecipients", "replyTo", "categories")) {
            if (!m.hasNonNull(list)) {
                m.putArray(list);
            }
        }
        if (!m.hasNonNull("subject")) {
            m.put("subject", "");
        }
        ObjectNode body = m.get("body") instanceof ObjectNode b ? b : m.putObject("body");
        body.put("contentType", body.path("contentType").asText("text").toLowerCase(Locale.ROOT));
        if (!body.hasNonNull("content")) {
            body.put("content", "");
        }
        m.put("bodyPreview", MessageViews.preview(body));
        if (!m.hasNonNull("internetMessageId")) {
            m.put("internetMessageId", "<" + SyncValues.token(18) + "@fake.example>");
        }
        if (!m.hasNonNull("conversationId")) {
            m.put("conversationId", SyncValues.defaultId());
        }
        if (!m.hasNonNull("importance")) {
            m.put("importance", "normal");
        }
        m.put("inferenceClassification", "focused");
    }

    private static void prepareAttachments(ObjectNode m, Instant now) {
        ArrayNode attachments = m.get("attachments") instanceof ArrayNode a ? a : m.putArray("attachments");
        for (JsonNode node : attachments) {
            ObjectNode a = (ObjectNode) node;
            if (!a.hasNonNull("@odata.type")) {
                a.put("@odata.type", "#microsoft.graph.fileAttachment");
            }
            if (!a.hasNonNull("id")) {
                a.put("id", SyncValues.defaultId());
            }
            if (!a.hasNonNull("contentType")) {
                a.put("contentType", "application/octet-stream");
            }
            if (a.hasNonNull("contentBytes") && !a.has("size")) { // a sent mail's files were measured when it was taken in
                a.put("size", Base64.getMimeDecoder().decode(a.get("contentBytes").asText()).length);
            }
            if (!a.has("isInline")) {
                a.put("isInline", false);
            }
            a.put("lastModifiedDateTime", SyncValues.time(now));
        }
        m.put("hasAttachments", !attachments.isEmpty());
    }
}
