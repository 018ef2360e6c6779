package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.testing.graph.MailboxState.StoredMessage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The entries of a message delta round and how a delta item is shown (messages and events). The round's
 * rule, from delta-query-messages: since the client's last state, items created or changed in the folder in
 * full, items gone from it (deleted or moved out) as {@code @removed}. A message moved out and back in between
 * two rounds is, with default ids, its old id removed plus the item under its new id (inferred). With immutable
 * ids it is reported removed, and not again until it changes: reported by users and open on Microsoft's docs
 * (microsoft-graph-docs-contrib#72, "will be reported as deleted from folder A and will not be reported again until
 * it's changed/deleted/moved again"; Q&amp;A 1257719). {@code FakeDelta#setImmutableMoveBackAsUpdate} gives the one
 * update a reader would expect instead.
 */
final class MessageDelta {
    static final String MESSAGE_TYPE = "#microsoft.graph.message";
    private static final int FILTER_CAP = 5000;

    private MessageDelta() {
    }

    /** Since {@code known} (immutable id -> default id the client saw) and {@code seq}; fills {@code nowKnown}. */
    static List<DeltaEntry> entries(MailboxState mb, DeltaQuery q, Map<String, String> known, long seq, Map<String, String> nowKnown,
                                    boolean immutableMoveBackAsUpdate) {
        MessageFilter filter = MessageFilter.parse(q.filter());
        Comparator<StoredMessage> newestFirst = Comparator.comparing(MailReads::received).reversed();
        List<StoredMessage> current = new ArrayList<>(mb.inFolder(q.folderId()).stream().filter(m -> filter.matches(m.data))
                .sorted(newestFirst).limit(q.filter() == null ? Long.MAX_VALUE : FILTER_CAP).toList());
        if (!q.newestFirst()) {
            Collections.reverse(current);
        }
        current.forEach(m -> nowKnown.put(m.immutableId, m.defaultId));
        List<DeltaEntry> entries = new ArrayList<>();
        known.forEach((immutableId, defaultId) -> {
            if (!nowKnown.containsKey(immutableId)) {
                entries.add(DeltaEntry.removed(defaultId, immutableId, DeltaEntry.Readers.ALL));
            }
        });
        for (StoredMessage m : current) {
            String reported = known.get(m.immutableId);
            if (reported == null) {
                entries.add(new DeltaEntry("created", m.defaultId, m.immutableId, m.data.deepCopy(), m.folderId, DeltaEntry.Readers.ALL));
            } else if (m.version > seq) {
                boolean movedOutAndBack = !reported.equals(m.defaultId); // a move gives a message a new default id
                if (movedOutAndBack) {
                    entries.add(DeltaEntry.removed(reported, m.immutableId, DeltaEntry.Readers.DEFAULT_IDS));
                }
                if (movedOutAndBack && !immutableMoveBackAsUpdate) {
                    entries.add(new DeltaEntry("updated", m.defaultId, m.immutableId, m.data.deepCopy(), m.folderId, DeltaEntry.Readers.DEFAULT_IDS));
                    entries.add(DeltaEntry.removed(m.defaultId, m.immutableId, DeltaEntry.Readers.IMMUTABLE_IDS));
                } else {
                    entries.add(new DeltaEntry("updated", m.defaultId, m.immutableId, m.data.deepCopy(), m.folderId, DeltaEntry.Readers.ALL));
                }
            }
        }
        return entries;
    }

    /** A delta item in Graph's form: the item with {@code @odata.type}, or its id under {@code @removed}. */
    static ObjectNode render(DeltaEntry e, DeltaQuery q, SyncRequest r) {
        boolean immutable = r.immutableIds();
        if (q.calendar()) {
            if (e.isRemoved()) {
                return e.removal(CalendarReads.EVENT_TYPE, immutable);
            }
            ObjectNode view = GraphJson.object().put("@odata.type", CalendarReads.EVENT_TYPE);
            view.setAll(CalendarReads.render(e.item(), r));
            return view;
        }
        if (e.isRemoved()) {
            return e.removal(MESSAGE_TYPE, immutable);
        }
        ObjectNode view = GraphJson.object().put("@odata.type", MESSAGE_TYPE);
        view.setAll(MessageViews.render(e.item(), e.id(immutable), e.folderId(),
                new MessageViews.Options(r.bodyType(), MailReads.basicOnly(r), q.select(), false, r.cloud())));
        return view;
    }
}
