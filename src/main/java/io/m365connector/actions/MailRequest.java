package io.m365connector.actions;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.outlook.EmailAddresses;
import io.m365connector.outlook.MailRecipient;
import io.m365connector.platform.Bytes;
import io.m365connector.platform.JsonFields;
import io.m365connector.platform.JsonFingerprint;
import io.m365connector.platform.RequestValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The body of POST /connections/{id}/mail, validated as a whole before anything is sent.
 *
 * @param from        a shared mailbox to send from (needs the shared_mailbox feature), or null for the user's own
 * @param fingerprint the request's canonical SHA-256 (formatting and member order do not matter), for Idempotency-Key checks
 */
public record MailRequest(List<MailRecipient> to, List<MailRecipient> cc, List<MailRecipient> bcc, List<MailRecipient> replyTo,
                          String subject, String bodyContentType, String body, String importance,
                          List<Attachment> attachments, boolean saveToSentItems, String from, String fingerprint) {
    public static final int MAX_RECIPIENTS = 500;
    public static final int MAX_SUBJECT = 255;
    public static final int MAX_BODY_CHARS = 4 * 1024 * 1024;
    public static final int MAX_ATTACHMENTS = 100;
    /** Exchange Online's default maximum message size; larger messages would be refused by the mailbox. */
    public static final long MAX_TOTAL_ATTACHMENT_BYTES = 35L * 1024 * 1024;
    /**
     * Graph refuses request bodies over 4 MB, and base64 grows content by a third: one request may
     * carry at most this many attachment bytes (2.9 MB -> 3.87 MB of base64 plus the JSON). Without a
     * draft (sendMail) everything must travel in the one request; with saveToSentItems=false there is no draft to fall back on.
     */
    public static final int MAX_INLINE_ATTACHMENT_BYTES = 2_900_000;
    /** The request body limit: the attachments in base64 plus the rest. */
    public static final int MAX_REQUEST_BYTES = 50 * 1024 * 1024;
    private static final Set<String> FIELDS = Set.of("to", "cc", "bcc", "replyTo", "subject", "body", "importance",
            "attachments", "saveToSentItems", "from");
    private static final Pattern MEDIA_TYPE = Pattern.compile("[A-Za-z0-9!#$&^_.+-]{1,64}/[A-Za-z0-9!#$&^_.+-]{1,127}");

    public MailRequest {
        to = List.copyOf(to);
        cc = List.copyOf(cc);
        bcc = List.copyOf(bcc);
        replyTo = List.copyOf(replyTo);
        attachments = List.copyOf(attachments);
    }

    /** A file to attach. {@code inline} with a {@code contentId} can be referenced from an HTML body as cid:. */
    public record Attachment(String name, String contentType, Bytes content, boolean inline, String contentId) {
        public Attachment(String name, String contentType, byte[] content, boolean inline, String contentId) {
            this(name, contentType, Bytes.copyOf(content), inline, contentId);
        }

        public int size() {
            return content.length();
        }
    }

    public static MailRequest parse(String body) {
        RequestValidationException.Collector errors = new RequestValidationException.Collector();
        JsonNode root = JsonFields.parseObject(body);
        JsonFields json = new JsonFields(root, "", errors);
        json.allowOnly(FIELDS);
        List<MailRecipient> to = MailRecipient.list(json, "to", MAX_RECIPIENTS, errors);
        List<MailRecipient> cc = MailRecipient.list(json, "cc", MAX_RECIPIENTS, errors);
        List<MailRecipient> bcc = MailRecipient.list(json, "bcc", MAX_RECIPIENTS, errors);
        List<MailRecipient> replyTo = MailRecipient.list(json, "replyTo", 10, errors);
        if (errors.isEmpty() && to.isEmpty() && cc.isEmpty() && bcc.isEmpty()) {
            errors.add("to", "At least one recipient is required (to, cc or bcc).");
        }
        if (to.size() + cc.size() + bcc.size() > MAX_RECIPIENTS) {
            errors.add("to", "At most " + MAX_RECIPIENTS + " recipients in to, cc and bcc together.");
        }
        String subject = json.string("subject", true, MAX_SUBJECT, false);
        String contentType = "text";
        String content = "";
        JsonNode rawBody = json.raw("body");
        if (rawBody != null && rawBody.isTextual()) {
            content = json.string("body", false, MAX_BODY_CHARS, true);
        } else if (rawBody != null && !rawBody.isNull()) {
            JsonFields b = json.object("body", false);
            if (b != null) {
                b.allowOnly(Set.of("contentType", "content"));
                String type = b.string("contentType", false, 10, false);
                if (type != null && !Set.of("text", "html").contains(type.toLowerCase(Locale.ROOT))) {
                    b.errors().add(b.field("contentType"), "Must be text or html.");
                } else if (type != null) {
                    contentType = type.toLowerCase(Locale.ROOT);
                }
                content = b.string("content", true, MAX_BODY_CHARS, true);
            }
        }
        String importance = json.string("importance", false, 10, false);
        if (importance != null && !Set.of("low", "normal", "high").contains(importance.toLowerCase(Locale.ROOT))) {
            errors.add("importance", "Must be low, normal or high.");
        }
        List<Attachment> attachments = attachments(json, errors);
        Boolean save = json.bool("saveToSentItems");
        String from = json.string("from", false, 254, false);
        if (from != null && EmailAddresses.problem(from) != null) {
            errors.add("from", EmailAddresses.problem(from));
        }
        if (save != null && !save && attachments.stream().mapToLong(Attachment::size).sum() > MAX_INLINE_ATTACHMENT_BYTES) {
            errors.add("saveToSentItems", "Attachments over 2.9 MB in total need saveToSentItems=true (they are added to a draft).");
        }
        errors.throwIfAny();
        return new MailRequest(to, cc, bcc, replyTo, subject, contentType, content == null ? "" : content,
                importance == null ? "normal" : importance.toLowerCase(Locale.ROOT), attachments, save == null || save, from,
                JsonFingerprint.of("mail", root));
    }

    private static List<Attachment> attachments(JsonFields json, RequestValidationException.Collector errors) {
        List<Attachment> result = new ArrayList<>();
        List<JsonNode> items = json.array("attachments", MAX_ATTACHMENTS);
        long total = 0;
        for (int i = 0; i < items.size(); i++) {
            String path = "attachments[" + i + "]";
            if (!items.get(i).isObject()) {
                errors.add(path, "Must be an object with name, contentType and contentBase64.");
                continue;
            }
            JsonFields a = new JsonFields(items.get(i), path, errors);
            a.allowOnly(Set.of("name", "contentType", "contentBase64", "inline", "contentId"));
            String name = a.string("name", true, 255, false);
            if (name != null && (name.isBlank() || name.contains("/") || name.contains("\\"))) {
                errors.add(a.field("name"), "Must be a file name without path separators.");
            }
            String type = a.string("contentType", false, 200, false);
            if (type != null && !MEDIA_TYPE.matcher(type).matches()) {
                errors.add(a.field("contentType"), "Must be a media type such as application/pdf.");
            }
            byte[] content = a.base64("contentBase64", true, MAX_REQUEST_BYTES);
            Boolean inline = a.bool("inline");
            String contentId = a.string("contentId", false, 255, false);
            if (content != null) {
                total += content.length;
                if (content.length > MAX_TOTAL_ATTACHMENT_BYTES) {
                    errors.add(a.field("contentBase64"), "An attachment can be at most " + MAX_TOTAL_ATTACHMENT_BYTES / (1024 * 1024) + " MiB.");
                }
                if (name != null) {
                    result.add(new Attachment(name, type == null ? "application/octet-stream" : type, content,
                            inline != null && inline, contentId));
                }
            }
        }
        if (total > MAX_TOTAL_ATTACHMENT_BYTES) {
            errors.add("attachments", "Attachments can total at most " + MAX_TOTAL_ATTACHMENT_BYTES / (1024 * 1024)
                    + " MiB (Exchange Online's default message size limit).");
        }
        return result;
    }
}
