package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One item of a delta round: a current item in full, or the id of one the client must drop
 * ({@code @removed}). Data is a copy taken when the round started.
 *
 * @param change {@code created}, {@code updated} or {@code deleted} (for {@code ?changeType=})
 * @param item the item's data, null when removed
 * @param folderId for messages, the folder it is in; else null
 * @param defaultIdsOnly a removal of a message's old default id after it moved out and back in: clients that
 *     asked for immutable ids never saw that id, so it is left out for them
 */
record DeltaEntry(String change, String defaultId, String immutableId, ObjectNode item, String folderId, boolean defaultIdsOnly) {
    static DeltaEntry removed(String defaultId, String immutableId, boolean defaultIdsOnly) {
        return new DeltaEntry("deleted", defaultId, immutableId, null, null, defaultIdsOnly);
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
