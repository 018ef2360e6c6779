package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.testing.graph.MailboxState.StoredMessage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The fake Graph's mailboxes as a reader sees them: the well-known folders {@code inbox}, {@code sentitems},
 * {@code drafts}, {@code deleteditems} and {@code archive} (opaque ids; the names are accepted in paths), the
 * messages in them and the change log that delta and subscriptions read. Drafts created through
 * {@link FakeGraph} appear in {@code drafts}; a sent draft moves to {@code sentitems} (when saved) and a copy
 * lands in the inbox of every recipient that is a mailbox of this fake (one that was used in a request or
 * named in {@link #addMailbox} or {@link #deliver}). Event changes from {@link FakeGraph} are logged here too.
 *
 * <p>Ids: each message has an immutable id (stays while it is in the mailbox) and a default id that changes
 * whenever it moves to another folder, as Outlook's are documented
 * (https://learn.microsoft.com/en-us/graph/outlook-immutable-id: "won't change so long as the item stays in
 * the same mailbox"; default ids change on a move). Methods taking an {@code id} accept either. Simplified:
 * FakeGraph's draft paths (create, patch, send) answer with default ids whatever the {@code Prefer} header says
 * (reads through this store honour it), attachments keep one id, and events have one id in both formats (they
 * never move here).
 *
 * <p>Test methods change state as a user's Outlook would, and each produces the change notifications and
 * delta changes that Graph would report. Guarded by the lock shared with {@link FakeGraph}.
 */
public final class FakeMailStore {
    /** The well-known folder names every mailbox of the fake has (mailFolder resource, well-known folder names). */
    public static final List<String> WELL_KNOWN_FOLDERS = List.of("inbox", "sentitems", "drafts", "deleteditems", "archive");

    private final Object lock;
    private final Clock clock;
    private final Notice.Sink sink;
    private final Runnable afterChange;
    // guarded by lock
    private final Map<String, MailboxState> mailboxes = new HashMap<>();

    FakeMailStore(Object lock, Clock clock, Notice.Sink sink, Runnable afterChange) {
        this.lock = lock;
        this.clock = clock;
        this.sink = sink;
        this.afterChange = afterChange;
    }

    // ---------------------------------------------------------------- test API

    /** Makes {@code upn} a mailbox of this fake, so that mail sent to it through the fake lands in its inbox. */
    public void addMailbox(String upn) {
        synchronized (lock) {
            state(upn);
        }
    }

    /** A plain received message in {@code upn}'s inbox: from candidate@fabrikam.com, to {@code upn}, a text body. Returns its default id. */
    public String deliverText(String upn, String subject) {
        ObjectNode message = GraphJson.object();
        message.putObject("from").putObject("emailAddress").put("address", "candidate@fabrikam.com");
        message.putArray("toRecipients").addObject().putObject("emailAddress").put("address", upn);
        message.put("subject", subject);
        message.putObject("body").put("contentType", "text").put("content", "Hello");
        return deliver(upn, message);
    }

    /**
     * A received message in {@code upn}'s inbox. Give {@code from}, {@code toRecipients}, {@code ccRecipients},
     * {@code subject}, {@code body} ({@code contentType} text|html, {@code content}) and {@code attachments}
     * (file attachments: {@code name}, {@code contentType}, {@code contentBytes} base64) as needed;
     * {@code receivedDateTime} defaults to the fake's clock, {@code isRead} to false. Returns its default id.
     */
    public String deliver(String upn, ObjectNode message) {
        Objects.requireNonNull(message, "message");
        String id;
        synchronized (lock) {
            MailboxState mb = state(upn);
            StoredMessage m = mb.add(MailData.received((ObjectNode) GraphJson.canonical(message), mb.upn, clock.instant()),
                    mb.folderId("inbox"), SyncValues.defaultId());
            created(mb, m);
            id = m.defaultId;
        }
        afterChange.run();
        return id;
    }

    /**
     * The user sends a plain mail from Outlook (or any client) to {@code to}: a copy in {@code upn}'s Sent Items, as Graph's
     * sendMail keeps one, and one in the recipient's inbox when the recipient is a mailbox of this fake. Returns the Sent Items
     * copy's default id.
     */
    public String sendFromOutlook(String upn, String to, String subject) {
        ObjectNode message = GraphJson.object();
        message.putObject("from").putObject("emailAddress").put("address", upn);
        message.putArray("toRecipients").addObject().putObject("emailAddress").put("address", to);
        message.put("subject", subject);
        message.putObject("body").put("contentType", "text").put("content", "Hello");
        String id;
        synchronized (lock) {
            MailboxState mb = state(upn);
            Set<String> before = new HashSet<>();
            mb.inFolder(mb.folderId("sentitems")).forEach(m -> before.add(m.immutableId));
            sent(upn, message, true, null);
            id = mb.inFolder(mb.folderId("sentitems")).stream().filter(m -> !before.contains(m.immutableId)).findFirst().orElseThrow().defaultId;
        }
        afterChange.run();
        return id;
    }

    /** Marks a message read or unread (an update: new changeKey). */
    public void markRead(String upn, String id, boolean isRead) {
        change(upn, id, data -> data.put("isRead", isRead));
    }

    /** Changes a message's subject (an update: new changeKey). */
    public void update(String upn, String id, String subject) {
        change(upn, id, data -> data.put("subject", subject));
    }

    /** Moves a message to a folder (well-known name or id). Returns its new default id (its immutable id stays). */
    public String move(String upn, String id, String folder) {
        String newId;
        synchronized (lock) {
            MailboxState mb = state(upn);
            StoredMessage m = existing(mb, id);
            String target = mb.folderId(folder);
            if (target == null) {
                throw new IllegalArgumentException("no folder " + folder + " in " + upn);
            }
            newId = move(mb, m, target);
        }
        afterChange.run();
        return newId;
    }

    /** Deletes as Outlook's Delete does: moves to Deleted Items; from Deleted Items it is gone. Returns the new default id, or null. */
    public String delete(String upn, String id) {
        String newId;
        synchronized (lock) {
            MailboxState mb = state(upn);
            StoredMessage m = existing(mb, id);
            deletedThroughGraph(upn, id);
            newId = mb.messages.containsKey(m.immutableId) ? m.defaultId : null;
        }
        afterChange.run();
        return newId;
    }

    /** Deletes a message for good (Shift+Delete, or purged): gone from every folder. */
    public void hardDelete(String upn, String id) {
        synchronized (lock) {
            MailboxState mb = state(upn);
            purge(mb, existing(mb, id));
        }
        afterChange.run();
    }

    /** The messages of a folder (name or id) as Graph shows them with default ids, in the order they arrived. */
    public List<JsonNode> messages(String upn, String folder) {
        synchronized (lock) {
            MailboxState mb = state(upn);
            String folderId = mb.folderId(folder);
            if (folderId == null) {
                throw new IllegalArgumentException("no folder " + folder + " in " + upn);
            }
            List<JsonNode> result = new ArrayList<>();
            for (StoredMessage m : mb.inFolder(folderId)) {
                result.add(MessageViews.render(m.data, m.defaultId, m.folderId, MessageViews.Options.FULL));
            }
            return List.copyOf(result);
        }
    }

    /** The default ids of the messages in {@code folder} carrying a single-value extended property with this value. */
    List<String> withExtendedProperty(String upn, String folder, String propertyId, String value) {
        synchronized (lock) {
            MailboxState mb = state(upn);
            List<String> ids = new ArrayList<>();
            for (StoredMessage m : mb.inFolder(mb.folderId(folder))) {
                for (JsonNode p : m.data.path("singleValueExtendedProperties")) {
                    if (p.path("id").asText().equalsIgnoreCase(propertyId) && p.path("value").asText().equals(value)) {
                        ids.add(m.defaultId);
                    }
                }
            }
            return ids;
        }
    }

    /** A message's immutable id, from either of its ids. */
    public String immutableId(String upn, String id) {
        synchronized (lock) {
            return existing(state(upn), id).immutableId;
        }
    }

    /** A message's current default id, from either of its ids. */
    public String defaultId(String upn, String id) {
        synchronized (lock) {
            return existing(state(upn), id).defaultId;
        }
    }

    /** A folder's opaque id, from its well-known name. */
    public String folderId(String upn, String folder) {
        synchronized (lock) {
            return state(upn).folderId(folder);
        }
    }

    // ---------------------------------------------------------------- hooks from FakeGraph (caller holds the lock)

    /** A draft was created or changed through Graph: the same JSON object is the message's data here. */
    void draftSaved(String upn, ObjectNode draft) {
        MailboxState mb = state(upn);
        String draftId = draft.path("id").asText();
        draft.put("parentFolderId", mb.folderId("drafts"));
        StoredMessage m = mb.find(draftId);
        if (m == null) {
            created(mb, mb.add(draft, mb.folderId("drafts"), draftId));
        } else {
            m.version = mb.next();
            sink.changed(new Notice(mb.upn, false, "updated", m.folderId, m.folderId, m.defaultId, m.defaultId, m.immutableId, m.changeKey()));
        }
    }

    void draftDeleted(String upn, String draftId) {
        MailboxState mb = state(upn);
        StoredMessage m = mb.find(draftId);
        if (m != null) {
            purge(mb, m);
        }
    }

    /**
     * Mail went out from {@code upn} (a sent draft when {@code draftId} is set, else sendMail). The draft moves
     * to Sent Items (new default id, same immutable id) or, when not saved, is deleted; each recipient that is
     * a mailbox of this fake gets a copy in its inbox.
     */
    void sent(String upn, ObjectNode delivered, boolean saveToSentItems, String draftId) {
        MailboxState mb = state(upn);
        Instant now = clock.instant();
        ObjectNode sentCopy = MailData.sentCopy(delivered, now);
        StoredMessage draft = draftId == null ? null : mb.find(draftId);
        if (draft != null && draft.folderId.equals(mb.folderId("drafts"))) {
            if (saveToSentItems) {
                draft.data = sentCopy;
                move(mb, draft, mb.folderId("sentitems"));
            } else {
                draftDeleted(upn, draftId);
            }
        } else if (saveToSentItems) {
            created(mb, mb.add(sentCopy, mb.folderId("sentitems"), SyncValues.defaultId()));
        }
        for (String recipient : recipients(delivered)) {
            MailboxState to = mailboxes.get(SyncValues.key(recipient));
            if (to != null) {
                created(to, to.add(MailData.inboxCopy(sentCopy, now), to.folderId("inbox"), SyncValues.defaultId()));
            }
        }
    }

    /** DELETE .../messages/{id} of a message that is not a draft: like {@link #delete}. False when there is no such message. */
    boolean deletedThroughGraph(String upn, String id) {
        MailboxState mb = state(upn);
        StoredMessage m = mb.find(id);
        if (m == null) {
            return false;
        }
        String deletedItems = mb.folderId("deleteditems");
        if (m.folderId.equals(deletedItems)) {
            purge(mb, m);
        } else {
            move(mb, m, deletedItems);
        }
        return true;
    }

    /** An event was created or changed (its id, changeKey) in {@code upn}'s calendar. */
    void eventSaved(String upn, ObjectNode event) {
        MailboxState mb = state(upn);
        String id = event.path("id").asText();
        boolean created = !mb.eventVersions.containsKey(id);
        mb.eventVersions.put(id, mb.next());
        String defaultId = SyncValues.eventDefaultId(id);
        sink.changed(new Notice(mb.upn, true, created ? "created" : "updated", null, null, defaultId, defaultId, id,
                event.path("changeKey").asText("")));
    }

    /** An event was deleted or cancelled: it leaves a tombstone in the change log. */
    void eventRemoved(String upn, String eventId, String changeKey) {
        MailboxState mb = state(upn);
        mb.eventVersions.remove(eventId);
        mb.eventTombstones.put(eventId, mb.next());
        String defaultId = SyncValues.eventDefaultId(eventId);
        sink.changed(new Notice(mb.upn, true, "deleted", null, null, defaultId, defaultId, eventId, changeKey == null ? "" : changeKey));
    }

    /** The mailbox's state, created (with its folders) on first use. Caller holds the lock. */
    MailboxState state(String upn) {
        return mailboxes.computeIfAbsent(SyncValues.key(upn), k -> new MailboxState(upn.trim()));
    }

    void reset() {
        synchronized (lock) {
            mailboxes.clear();
        }
    }

    // ---------------------------------------------------------------- internals

    private void change(String upn, String id, java.util.function.Consumer<ObjectNode> edit) {
        synchronized (lock) {
            MailboxState mb = state(upn);
            StoredMessage m = existing(mb, id);
            edit.accept(m.data);
            MailData.touch(m.data, clock.instant());
            m.version = mb.next();
            sink.changed(new Notice(mb.upn, false, "updated", m.folderId, m.folderId, m.defaultId, m.defaultId, m.immutableId, m.changeKey()));
        }
        afterChange.run();
    }

    private String move(MailboxState mb, StoredMessage m, String target) {
        if (m.folderId.equals(target)) {
            return m.defaultId;
        }
        String from = m.folderId;
        String oldId = m.defaultId;
        MailData.touch(m.data, clock.instant());
        mb.move(m, target);
        m.data.put("parentFolderId", target);
        sink.changed(new Notice(mb.upn, false, "moved", from, target, oldId, m.defaultId, m.immutableId, m.changeKey()));
        return m.defaultId;
    }

    private void created(MailboxState mb, StoredMessage m) {
        sink.changed(new Notice(mb.upn, false, "created", null, m.folderId, m.defaultId, m.defaultId, m.immutableId, m.changeKey()));
    }

    private void purge(MailboxState mb, StoredMessage m) {
        mb.remove(m);
        sink.changed(new Notice(mb.upn, false, "deleted", m.folderId, null, m.defaultId, m.defaultId, m.immutableId, m.changeKey()));
    }

    private static StoredMessage existing(MailboxState mb, String id) {
        StoredMessage m = mb.find(id);
        if (m == null) {
            throw new IllegalArgumentException("no message " + id + " in " + mb.upn);
        }
        return m;
    }

    private static Set<String> recipients(JsonNode message) {
        Set<String> result = new LinkedHashSet<>();
        for (String collection : List.of("toRecipients", "ccRecipients", "bccRecipients")) {
            for (String address : GraphJson.addresses(message, collection)) {
                if (address != null) {
                    result.add(SyncValues.key(address));
                }
            }
        }
        return result;
    }
}
