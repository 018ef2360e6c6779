package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.Html;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How Graph shows a stored message and its attachments: ids, {@code @odata.etag}, body in the preferred
 * format, no body for Mail.ReadBasic, {@code $select}.
 */
final class MessageViews {
    private static final Set<String> HIDDEN = Set.of("id", "attachments", "saveToSentItems", "parentFolderId", "@odata.etag",
            "@odata.context", "webLink");
    private static final Pattern BLOCK_END = Pattern.compile("(?i)<br\\s*/?>|</p>|</div>|</tr>|</h[1-6]>|</li>");
    private static final Pattern INVISIBLE = Pattern.compile("(?is)<(head|style|script)[^>]*>.*?</\\1>");
    private static final Pattern TAG = Pattern.compile("(?s)<[^>]*>");
    private static final int PREVIEW_LENGTH = 255;

    /**
     * @param bodyType {@code text} or {@code html} to convert the body to, or null to keep it
     * @param basic the caller holds only Mail.ReadBasic: no body, bodyPreview or uniqueBody. The permissions
     *     reference (https://learn.microsoft.com/en-us/graph/permissions-reference, Mail.ReadBasic) says it reads mail
     *     "except for body, bodyPreview, uniqueBody, attachments, extensions, and any extended properties" (quoted
     *     in Microsoft Q&amp;A 283657; the research notes' §6 reaches the same as an inference)
     * @param select a {@code $select} value, or null
     * @param expandAttachments {@code $expand=attachments}
     * @param cloud for webLink; null leaves it out
     */
    record Options(String bodyType, boolean basic, String select, boolean expandAttachments, NationalCloud cloud) {
        static final Options FULL = new Options(null, false, null, false, null);

        static Options of(SyncRequest r, boolean basic) {
            String expand = r.param("$expand");
            return new Options(r.bodyType(), basic, r.param("$select"), expand != null && expand.toLowerCase(Locale.ROOT)
                    .contains("attachments"), r.cloud());
        }
    }

    private MessageViews() {
    }

    static ObjectNode render(ObjectNode data, String id, String folderId, Options o) {
        ObjectNode view = GraphJson.object();
        view.put("@odata.etag", "W/\"" + data.path("changeKey").asText("") + "\"");
        view.put("id", id);
        data.fields().forEachRemaining(e -> {
            if (!HIDDEN.contains(e.getKey())) {
                view.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        view.put("parentFolderId", folderId);
        // Exchange keeps the time of arrival finer than a second; Graph shows it to the second ("2016-12-20T19:43:22Z"),
        // and compares $filter bounds with the stored time
        Instant received = SyncValues.parseTime(view.path("receivedDateTime").asText(null));
        if (received != null) {
            view.put("receivedDateTime", SyncValues.time(received));
        }
        if (!view.hasNonNull("bodyPreview")) {
            view.put("bodyPreview", preview(data.get("body")));
        }
        if (o.cloud() != null) {
            view.put("webLink", FakeGraph.messageWebLink(o.cloud(), id));
        }
        if (o.bodyType() != null && view.get("body") instanceof ObjectNode body) {
            view.set("body", convert(body, o.bodyType()));
        }
        if (o.basic()) {
            view.remove(Set.of("body", "bodyPreview", "uniqueBody"));
        }
        if (o.expandAttachments() && !o.basic()) {
            view.set("attachments", data.has("attachments") ? data.get("attachments").deepCopy() : GraphJson.array());
        }
        return select(view, o.select());
    }

    /** An attachment without its content (what the fake lists; {@code GET .../attachments/{id}} has contentBytes). */
    static ObjectNode attachmentMetadata(JsonNode attachment) {
        ObjectNode a = attachment.deepCopy();
        a.remove("contentBytes");
        return a;
    }

    static ArrayNode attachments(ObjectNode data) {
        return data.get("attachments") instanceof ArrayNode a ? a : GraphJson.array();
    }

    /** The body in another format; {@code Prefer: outlook.body-content-type} (message: get, "Request headers"). */
    static ObjectNode convert(ObjectNode body, String to) {
        String from = body.path("contentType").asText("text").toLowerCase(Locale.ROOT);
        String content = body.path("content").asText("");
        ObjectNode out = GraphJson.object();
        out.put("contentType", to);
        if (from.equals(to)) {
            out.put("content", content);
        } else if (to.equals("text")) {
            out.put("content", htmlToText(content));
        } else {
            out.put("content", "<html><head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n</head>\r\n"
                    + "<body>\r\n<div>" + Html.escape(content).replace("\r\n", "<br>").replace("\n", "<br>") + "</div>\r\n</body>\r\n"
                    + "</html>\r\n");
        }
        return out;
    }

    /** The first 255 characters of the body as text, whitespace collapsed (message: bodyPreview). */
    static String preview(JsonNode body) {
        if (body == null || !body.isObject()) {
            return "";
        }
        String content = body.path("content").asText("");
        String text = body.path("contentType").asText("text").equalsIgnoreCase("html") ? htmlToText(content) : content;
        String collapsed = text.replaceAll("\\s+", " ").trim();
        return collapsed.length() <= PREVIEW_LENGTH ? collapsed : collapsed.substring(0, PREVIEW_LENGTH);
    }

    static String htmlToText(String html) {
        String text = INVISIBLE.matcher(html).replaceAll("");
        text = BLOCK_END.matcher(text).replaceAll("\n");
        text = TAG.matcher(text).replaceAll("");
        text = text.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&amp;", "&");
        return text.replaceAll("[ \\t\\x0B\\f\\r]+\n", "\n").replaceAll("\n{3,}", "\n\n").trim();
    }

    /** Keeps {@code @odata.*}, {@code id} and the selected properties (any case). */
    static ObjectNode select(ObjectNode view, String select) {
        if (select == null || select.isBlank()) {
            return view;
        }
        Set<String> wanted = new LinkedHashSet<>();
        for (String s : select.split(",")) {
            wanted.add(s.trim().toLowerCase(Locale.ROOT));
        }
        ObjectNode out = GraphJson.object();
        view.fields().forEachRemaining(e -> {
            String name = e.getKey();
            if (name.startsWith("@odata.") || name.equals("id") || wanted.contains(name.toLowerCase(Locale.ROOT))) {
                out.set(name, e.getValue());
            }
        });
        return out;
    }
}
