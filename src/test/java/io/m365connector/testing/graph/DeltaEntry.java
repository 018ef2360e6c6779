package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One item of a delta round: a current item in full, or the id of one the client must drop
 * ({@code @removed}). Data is a copy taken when the round started.
 *
 * @param change {@code created}, {@code updated} or {@code deleted} (for {@code ?changeType=})
 * @param item the item's data, null when removed
 * @param folderId for messages, the folder it is in; else null
 * @param readers who is shown the entry: all clients, or only those that asked for default ids or for immutable ids
 *     (a message that moved out and back in reads differently to each, see {@link MessageDelta})
 */
record DeltaEntry(String change, String defaultId, String immutableId, ObjectNode item, String folderId, Readers readers) {
    /** Which clients see an entry, by the ids they asked for ({@code Prefer: IdType="ImmutableId"} or not). */
    enum Readers {
        ALL, DEFAULT_IDS, IMMUTABLE_IDS;

        boolean include(boolean immutable) {
            return this == ALL || (this == IMMUTABLE_IDS) == immutable;
        }
    }

    static DeltaEntry removed(String defaultId, String immutableId, Readers readers) {
        return new DeltaEntry("deleted", defaultId, immutableId, null, null, readers);
    }

    boolean isRemoved() {
        return item == null;
    }

    String id(boolean immutable) {
        return immutable ? immutableId : defaultId;
    }

    /** {@code {"@odata.type": ..., "id": ..., "@removed": {"reason": "deleted"}}} as in the Outlook delta samples. */
    ObjectNode removal(String odataType, boolean immutable) {
        ObjectNode node = GraphJson.object();
        node.put("@odata.type", odataType);
        node.put("id", id(immutable));
        node.putObject("@removed").put("reason", "deleted");
        return node;
    }
}
