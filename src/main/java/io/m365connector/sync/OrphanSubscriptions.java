package io.m365connector.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.graph.GraphJsonRequests;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.graph.GraphSession;
import io.m365connector.graph.GraphTemplates;
import io.m365connector.graph.GraphValues;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * Graph refuses a second subscription to the same resource and change types with 409 ("Duplicate subscriptions aren't
 * allowed", Create subscription). Ours is the only kind this app makes for the user's resource, so the one in the way was
 * made by an instance that died before saving it, a create whose answer was lost, or a disconnect whose delete failed: none
 * delivers anywhere useful, and each would keep the resource on the timer until it expired (up to 70 hours). It is deleted,
 * unless another active connection holds it (the same user connected twice: that connection's notifications come through
 * it, and the other is synced by the timer).
 */
final class OrphanSubscriptions {
    private static final Logger LOG = Logger.getLogger(OrphanSubscriptions.class.getName());
    private static final String SUBSCRIPTIONS = "{+baseurl}/subscriptions" + GraphTemplates.COLLECTION_QUERY;

    private OrphanSubscriptions() {
    }

    /**
     * Deletes (with {@code delete}) the app's subscriptions of {@code resource}'s kind that no other active connection holds
     * (one disconnected, whose clean-up failed, receives nothing through it); true when one was.
     */
    static boolean remove(GraphSession session, SyncResource resource, Subscriptions held, Predicate<String> active, Consumer<String> delete) {
        JsonNode listed = session.call(Safety.REPEATABLE, c -> GraphJsonRequests.get(c, SUBSCRIPTIONS, Map.of(), Map.of(), List.of()));
        boolean removed = false;
        for (JsonNode s : listed.path("value")) {
            String id = GraphValues.text(s, "id");
            boolean ours = id != null && held.find(id).map(h -> h.connectionId().equals(session.connectionId()) || !active.test(h.connectionId()))
                    .orElse(true);
            if (ours && sameKind(resource, s.path("resource").asText(""))) {
                LOG.info("Deleting an earlier " + resource.id() + " subscription of " + session.connectionId() + " that Graph still has"
                        + " and no row here names (made by an instance that died, or whose answer was lost)");
                delete.accept(id);
                removed = true;
            }
        }
        return removed;
    }

    /**
     * Whether a listed subscription's resource is of the same kind as {@code resource}'s: the list holds only this app's
     * subscriptions for the signed-in user, who has one inbox and one calendar subscription from us; Graph may answer the
     * resource in another form than it was asked for ({@code Users/{id}/Messages}), so the last segment decides.
     */
    private static boolean sameKind(SyncResource resource, String listed) {
        String asked = resource.subscriptionResource();
        String kind = asked.substring(asked.lastIndexOf('/') + 1);
        String path = listed.split("\\?")[0];
        return path.substring(path.lastIndexOf('/') + 1).equalsIgnoreCase(kind);
    }
}
