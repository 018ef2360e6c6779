package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.testing.graph.MailboxState.StoredMessage;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Graph's mail reads over {@link FakeMailStore}: mail folders, a folder's messages, a message, its
 * attachments. Called by {@link FakeGraph} with the lock held, after the token and permission checks.
 *
 * <p>Modelled from List messages (https://learn.microsoft.com/en-us/graph/api/user-list-messages?view=graph-rest-1.0):
 * "The default page size is 10 messages. Use $top to customize the page size, within the range of 1 and 1000";
 * the next page is {@code @odata.nextLink}, which carries the query and a {@code $skip} ("Do not try to extract the
 * $skip value"). Its rule for {@code $filter} with {@code $orderby} ("Using filter and orderby in the same query"):
 * properties in $orderby must lead $filter, else 400 InefficientFilter "The restriction or sort order is too
 * complex for this operation" (several public reports quote the same code and message). <b>Inferred</b>:
 * without $orderby the newest message comes first; the fake knows only receivedDateTime for $orderby.
 */
final class MailReads {
    static final int DEFAULT_TOP = 10;
    static final int MAX_TOP = 1000;
    private static final Set<String> FULL_READ = Set.of("mail.read", "mail.readwrite", "mail.read.shared", "mail.readwrite.shared");
    private static final Set<String> LIST_PARAMS = Set.of("$top", "$skip", "$select", "$filter", "$orderby", "$expand");

    private final FakeMailStore store;

    MailReads(FakeMailStore store) {
        this.store = store;
    }

    /** Mail.ReadBasic alone gives no body, preview or attachments. */
    static boolean basicOnly(SyncRequest r) {
        return !r.hasAnyScope(FULL_READ);
    }

    SyncAnswer folders(SyncRequest r) {
        MailboxState mb = store.state(r.mailboxUpn());
        ArrayNode value = GraphJson.array();
        mb.folderIds.keySet().forEach(name -> value.add(folderView(mb, name)));
        ObjectNode list = GraphJson.object();
        list.put("@odata.context", r.baseUrl() + "/$metadata#users('" + mb.upn + "')/mailFolders");
        list.set("value", value);
        return SyncAnswer.ok(list);
    }

    SyncAnswer folder(SyncRequest r, String folder) {
        MailboxState mb = store.state(r.mailboxUpn());
        String id = mb.folderId(folder);
        return id == null ? notFound() : SyncAnswer.ok(folderView(mb, mb.folderName(id)));
    }

    static ObjectNode folderView(MailboxState mb, String name) {
        String id = mb.folderIds.get(name);
        List<StoredMessage> inside = mb.inFolder(id);
        ObjectNode f = GraphJson.object();
        f.put("id", id);
        f.put("displayName", switch (name) {
            case "sentitems" -> "Sent Items";
            case "deleteditems" -> "Deleted Items";
            default -> Character.toUpperCase(name.charAt(0)) + name.substring(1);
        });
        f.put("parentFolderId", "AQMkAD" + Integer.toHexString(mb.upn.hashCode()) + "AAAAAQEAAAA=");
        f.put("childFolderCount", 0);
        f.put("unreadItemCount", inside.stream().filter(m -> !m.data.path("isRead").asBoolean(false)).count());
        f.put("totalItemCount", inside.size());
        f.put("isHidden", false);
        return f;
    }

    /** GET .../mailFolders/{id}/messages with $top, $skip, $select, $filter, $orderby=receivedDateTime [desc|asc]. */
    SyncAnswer folderMessages(SyncRequest r, String folder) {
        for (String name : r.params().keySet()) {
            if (!LIST_PARAMS.contains(name.toLowerCase(Locale.ROOT))) {
                return SyncAnswer.notImplemented(name + " on messages");
            }
        }
        MailboxState mb = store.state(r.mailboxUpn());
        String folderId = mb.folderId(folder);
        if (folderId == null) {
            return notFound();
        }
        Integer top = intParam(r.param("$top"), 1, MAX_TOP, DEFAULT_TOP);
        Integer skip = intParam(r.param("$skip"), 0, Integer.MAX_VALUE, 0);
        if (top == null || skip == null) {
            return SyncAnswer.error(400, "BadRequest", "Invalid $top or $skip: $top must be from 1 to 1000.");
        }
        MessageFilter filter = MessageFilter.parse(r.param("$filter"));
        if (filter == null) {
            return SyncAnswer.notImplemented("this $filter");
        }
        Comparator<StoredMessage> order = order(r.param("$orderby"));
        if (order == null) {
            return SyncAnswer.notImplemented("this $orderby (only receivedDateTime)");
        }
        if (r.param("$orderby") != null && !filter.properties().isEmpty() && !filter.properties().get(0).equals("receivedDateTime")) {
            return SyncAnswer.error(400, "InefficientFilter", "The restriction or sort order is too complex for this operation.");
        }
        List<StoredMessage> found = mb.inFolder(folderId).stream().filter(m -> filter.matches(m.data)).sorted(order).toList();
        ArrayNode value = GraphJson.array();
        MessageViews.Options options = MessageViews.Options.of(r, basicOnly(r));
        found.stream().skip(skip).limit(top).forEach(m -> value.add(MessageViews.render(m.data, m.id(r.immutableIds()), m.folderId, options)));
        ObjectNode list = GraphJson.object();
        list.put("@odata.context", r.baseUrl() + "/$metadata#users('" + mb.upn + "')/mailFolders('" + folderId + "')/messages");
        list.set("value", value);
        if (skip + top < found.size()) {
            Map<String, String> next = new LinkedHashMap<>(r.params());
            next.put("$skip", String.valueOf(skip + top));
            list.put("@odata.nextLink", r.baseUrl() + "/" + r.mailboxPath() + "/mailFolders('" + folderId + "')/messages?"
                    + SyncValues.queryString(next));
        }
        return withBodyPreference(r, SyncAnswer.ok(list));
    }

    /** GET .../messages/{id} of a message that is not a draft held by FakeGraph. */
    SyncAnswer message(SyncRequest r, String id) {
        StoredMessage m = store.state(r.mailboxUpn()).find(id);
        if (m == null) {
            return notFound();
        }
        ObjectNode view = MessageViews.render(m.data, m.id(r.immutableIds()), m.folderId, MessageViews.Options.of(r, basicOnly(r)));
        view.put("@odata.context", r.baseUrl() + "/$metadata#users('" + store.state(r.mailboxUpn()).upn + "')/messages/$entity");
        return withBodyPreference(r, SyncAnswer.ok(view));
    }

    /** GET .../messages/{id}/attachments: the attachments' metadata (no contentBytes: a connector must not rely on them here). */
    SyncAnswer attachments(SyncRequest r, String id) {
        StoredMessage m = store.state(r.mailboxUpn()).find(id);
        if (m == null) {
            return notFound();
        }
        if (basicOnly(r)) {
            return accessDenied();
        }
        ArrayNode value = GraphJson.array();
        for (JsonNode a : MessageViews.attachments(m.data)) {
            value.add(MessageViews.select(MessageViews.attachmentMetadata(a), r.param("$select")));
        }
        ObjectNode list = GraphJson.object();
        list.put("@odata.context", r.baseUrl() + "/$metadata#users('" + r.mailboxUpn() + "')/messages('" + id + "')/attachments");
        list.set("value", value);
        return SyncAnswer.ok(list);
    }

    /** GET .../attachments/{aid} (with contentBytes) or .../attachments/{aid}/$value (the raw bytes). */
    SyncAnswer attachment(SyncRequest r, String id, String attachmentId, boolean rawValue) {
        StoredMessage m = store.state(r.mailboxUpn()).find(id);
        if (m == null) {
            return notFound();
        }
        if (basicOnly(r)) {
            return accessDenied();
        }
        for (JsonNode a : MessageViews.attachments(m.data)) {
            if (attachmentId.equals(a.path("id").asText())) {
                if (!rawValue) {
                    return SyncAnswer.ok(MessageViews.select((ObjectNode) a.deepCopy(), r.param("$select")));
                }
                byte[] bytes = Base64.getMimeDecoder().decode(a.path("contentBytes").asText(""));
                return SyncAnswer.raw(200, a.path("contentType").asText("application/octet-stream"), bytes);
            }
        }
        return notFound();
    }

    private static SyncAnswer withBodyPreference(SyncRequest r, SyncAnswer answer) {
        return r.bodyType() == null ? answer : answer.withHeader("Preference-Applied", "outlook.body-content-type=\"" + r.bodyType() + "\"");
    }

    private static Comparator<StoredMessage> order(String orderBy) {
        Comparator<StoredMessage> byReceived = Comparator.comparing(MailReads::received);
        if (orderBy == null) {
            return byReceived.reversed();
        }
        String o = orderBy.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
        return switch (o) {
            case "receiveddatetime desc" -> byReceived.reversed();
            case "receiveddatetime", "receiveddatetime asc" -> byReceived;
            default -> null;
        };
    }

    static java.time.Instant received(StoredMessage m) {
        java.time.Instant t = SyncValues.parseTime(m.data.path("receivedDateTime").asText(null));
        return t == null ? java.time.Instant.EPOCH : t;
    }

    /** The parameter as an int within [min, max], the default when absent, null when invalid. */
    static Integer intParam(String value, int min, int max, int absent) {
        if (value == null) {
            return absent;
        }
        try {
            int n = Integer.parseInt(value.trim());
            return n < min || n > max ? null : n;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static SyncAnswer notFound() {
        return SyncAnswer.error(404, "ErrorItemNotFound", "The specified object was not found in the store.");
    }

    static SyncAnswer accessDenied() {
        return SyncAnswer.error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    }
}
