package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.graph.NotificationOutbox.Kind;
import java.util.function.Predicate;

/**
 * Which notifications a change in a mailbox makes for one subscription, and their bodies: change notifications
 * as in https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks (resource
 * {@code Users/{user id}/Messages/{id}} or {@code .../Events/{id}}, resourceData with {@code @odata.type},
 * {@code @odata.id}, {@code @odata.etag}, {@code id}), lifecycle notifications as in
 * https://learn.microsoft.com/en-us/graph/change-notifications-lifecycle-events (no resource; {@code lifecycleEvent}).
 * Called with the fake's lock held.
 *
 * <p><b>Inferred</b>: a move is, to a subscription on all messages, one "updated" with immutable ids, or
 * "deleted" (old id) plus "created" (new id) with default ids; to a folder subscription, "deleted" in the folder
 * left and "created" in the folder entered.
 */
final class ChangeNotifications {
    private final NotificationOutbox outbox;
    private final Predicate<NationalCloud> lifecycleServed;

    ChangeNotifications(NotificationOutbox outbox, Predicate<NationalCloud> lifecycleServed) {
        this.outbox = outbox;
        this.lifecycleServed = lifecycleServed;
    }

    /** A change in the subscription's mailbox, of the kind it follows (messages or events). */
    void changed(SubscriptionState s, Notice n) {
        if (n.event()) {
            notify(s, n.change(), n.defaultId(), n.changeKey());
        } else {
            messageChanged(s, n);
        }
    }

    private void messageChanged(SubscriptionState s, Notice n) {
        String folder = s.target.folderId();
        String oldId = s.immutableIds ? n.immutableId() : n.oldDefaultId();
        String newId = s.immutableIds ? n.immutableId() : n.defaultId();
        if (!n.change().equals("moved")) {
            String in = n.change().equals("deleted") ? n.fromFolder() : n.toFolder();
            if (folder == null || folder.equals(in)) {
                notify(s, n.change(), newId, n.changeKey());
            }
        } else if (folder == null && s.immutableIds) {
            notify(s, "updated", newId, n.changeKey());
        } else {
            if (folder == null || folder.equals(n.fromFolder())) {
                notify(s, "deleted", oldId, n.changeKey());
            }
            if (folder == null || folder.equals(n.toFolder())) {
                notify(s, "created", newId, n.changeKey());
            }
        }
    }

    private void notify(SubscriptionState s, String changeType, String id, String changeKey) {
        if (!s.changeTypes.contains(changeType)) {
            return;
        }
        String resource = "Users/" + s.user.objectId() + (s.target.events() ? "/Events/" : "/Messages/") + id;
        ObjectNode n = item(s);
        n.put("changeType", changeType);
        n.put("resource", resource);
        ObjectNode data = n.putObject("resourceData");
        data.put("@odata.type", s.target.events() ? "#Microsoft.Graph.Event" : "#Microsoft.Graph.Message");
        data.put("@odata.id", resource);
        data.put("@odata.etag", "W/\"" + changeKey + "\"");
        data.put("id", id);
        n.put("tenantId", s.user.tenantId());
        outbox.enqueue(s.id, Kind.CHANGE, changeType, s.notificationUrl, collection(n));
    }

    /** Queues a lifecycle notification when the subscription has a lifecycle URL and the cloud sends them (lock held). */
    boolean lifecycle(SubscriptionState s, String event) {
        if (s.lifecycleNotificationUrl == null || !lifecycleServed.test(s.cloud)) {
            return false;
        }
        ObjectNode n = item(s);
        n.put("tenantId", s.user.tenantId());
        n.put("lifecycleEvent", event);
        outbox.enqueue(s.id, Kind.LIFECYCLE, event, s.lifecycleNotificationUrl, collection(n));
        return true;
    }

    private static ObjectNode item(SubscriptionState s) {
        ObjectNode n = GraphJson.object();
        n.put("subscriptionId", s.id);
        n.put("subscriptionExpirationDateTime", SubscriptionState.EXPIRY.format(s.expiration));
        if (s.clientState == null) {
            n.putNull("clientState");
        } else {
            n.put("clientState", s.clientState);
        }
        return n;
    }

    private static String collection(ObjectNode item) {
        ObjectNode body = GraphJson.object();
        body.set("value", GraphJson.array().add(item));
        return GraphJson.write(body);
    }
}
