package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The read/sync state of one mailbox in the fake: folders, messages (each with its immutable id and its
 * current default id) and the change log delta reads from. Guarded by the fake's lock.
 *
 * <p>The change log is a sequence number per mailbox: every change to a message or event takes the next
 * number and stores it as the item's {@code version}; a deleted event leaves a tombstone with its number.
 * A delta token remembers the number it was issued at and what the client was told, so "changed since"
 * is {@code version > token's number}.
 */
final class MailboxState {
    final String upn;
    final Map<String, String> folderIds = new LinkedHashMap<>();
    final Map<String, StoredMessage> messages = new LinkedHashMap<>();
    final Map<String, String> byDefaultId = new HashMap<>();
    final Map<String, Long> eventVersions = new HashMap<>();
    final Map<String, Long> eventTombstones = new LinkedHashMap<>();
    long seq;
    /** Bumped by {@code expireSyncState}: tokens of an older generation answer 410. */
    int syncGeneration;

    MailboxState(String upn) {
        this.upn = upn;
        for (String name : FakeMailStore.WELL_KNOWN_FOLDERS) {
            folderIds.put(name, SyncValues.folderId());
        }
    }

    long next() {
        return ++seq;
    }

    /** A folder's id from its id or well-known name (any case); null when unknown. */
    String folderId(String idOrName) {
        if (idOrName == null) {
            return null;
        }
        String byName = folderIds.get(SyncValues.key(idOrName));
        if (byName != null) {
            return byName;
        }
        return folderIds.containsValue(idOrName) ? idOrName : null;
    }

    String folderName(String folderId) {
        for (Map.Entry<String, String> e : folderIds.entrySet()) {
            if (e.getValue().equals(folderId)) {
                return e.getKey();
            }
        }
        return null;
    }

    /** A message by its current default id or its immutable id; null when neither. */
    StoredMessage find(String id) {
        if (id == null) {
            return null;
        }
        StoredMessage byImmutable = messages.get(id);
        if (byImmutable != null) {
            return byImmutable;
        }
        String immutable = byDefaultId.get(id);
        return immutable == null ? null : messages.get(immutable);
    }

    List<StoredMessage> inFolder(String folderId) {
        List<StoredMessage> result = new ArrayList<>();
        for (StoredMessage m : messages.values()) {
            if (m.folderId.equals(folderId)) {
                result.add(m);
            }
        }
        return result;
    }

    StoredMessage add(ObjectNode data, String folderId, String defaultId) {
        StoredMessage m = new StoredMessage(SyncValues.immutableId(), defaultId, folderId, data, next());
        messages.put(m.immutableId, m);
        byDefaultId.put(defaultId, m.immutableId);
        return m;
    }

    /** Moves a message: a new default id (the old one no longer resolves), the same immutable id. */
    void move(StoredMessage m, String folderId) {
        byDefaultId.remove(m.defaultId);
        m.defaultId = SyncValues.defaultId();
        m.folderId = folderId;
        byDefaultId.put(m.defaultId, m.immutableId);
        m.version = next();
    }

    void remove(StoredMessage m) {
        messages.remove(m.immutableId);
        byDefaultId.remove(m.defaultId);
        next();
    }

    /** A message's data (Graph properties) with its ids, for the fake's own read-back. */
    static final class StoredMessage {
        final String immutableId;
        String defaultId;
        String folderId;
        ObjectNode data;
        long version;

        StoredMessage(String immutableId, String defaultId, String folderId, ObjectNode data, long version) {
            this.immutableId = immutableId;
            this.defaultId = defaultId;
            this.folderId = folderId;
            this.data = data;
            this.version = version;
        }

        String id(boolean immutable) {
            return immutable ? immutableId : defaultId;
        }

        String changeKey() {
            return data.path("changeKey").asText("");
        }
    }
}
