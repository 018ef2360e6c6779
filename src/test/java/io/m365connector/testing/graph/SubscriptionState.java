package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.entra.FakeUser;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Set;

/** One subscription of the fake Graph (mutable: expiry and notificationUrl change on PATCH). Guarded by the fake's lock. */
final class SubscriptionState {
    static final DateTimeFormatter EXPIRY = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'").withZone(ZoneOffset.UTC);

    /** What a resource path subscribes to: a mailbox's messages (all, or one folder's) or its events. */
    record Target(String mailbox, boolean events, String folderId) {
    }

    final String id;
    final String host;
    final NationalCloud cloud;
    final String clientId;
    final FakeUser user;
    final String resource;
    final Target target;
    final Set<String> changeTypes;
    final String changeType;
    final String lifecycleNotificationUrl;
    final String clientState;
    final boolean immutableIds;
    String notificationUrl;
    Instant expiration;

    SubscriptionState(String id, String host, NationalCloud cloud, String clientId, FakeUser user, String resource, Target target,
                 Set<String> changeTypes, String changeType, String notificationUrl, String lifecycleNotificationUrl, String clientState,
                 boolean immutableIds, Instant expiration) {
        this.id = id;
        this.host = host;
        this.cloud = cloud;
        this.clientId = clientId;
        this.user = user;
        this.resource = resource;
        this.target = target;
        this.changeTypes = Set.copyOf(changeTypes);
        this.changeType = changeType;
        this.notificationUrl = notificationUrl;
        this.lifecycleNotificationUrl = lifecycleNotificationUrl;
        this.clientState = clientState;
        this.immutableIds = immutableIds;
        this.expiration = expiration;
    }

    boolean isExpiredAt(Instant now) {
        return !now.isBefore(expiration);
    }

    /** The same app, user and cloud host as a request: only then can the request see it. */
    boolean ownedBy(String requestHost, String requestClientId, FakeUser requestUser) {
        return host.equalsIgnoreCase(requestHost) && clientId.equalsIgnoreCase(requestClientId)
                && user.objectId().equals(requestUser.objectId());
    }

    /** Graph's subscription resource, as create, get, update and list answer it. */
    ObjectNode view() {
        ObjectNode v = GraphJson.object();
        v.put("@odata.context", "https://" + host + "/v1.0/$metadata#subscriptions/$entity");
        v.put("id", id);
        v.put("resource", resource);
        v.put("applicationId", clientId);
        v.put("changeType", changeType);
        if (clientState == null) {
            v.putNull("clientState");
        } else {
            v.put("clientState", clientState);
        }
        v.put("notificationUrl", notificationUrl);
        v.putNull("notificationQueryOptions");
        if (lifecycleNotificationUrl == null) {
            v.putNull("lifecycleNotificationUrl");
        } else {
            v.put("lifecycleNotificationUrl", lifecycleNotificationUrl);
        }
        v.put("expirationDateTime", EXPIRY.format(expiration));
        v.put("creatorId", user.objectId());
        v.put("includeResourceData", false);
        v.put("latestSupportedTlsVersion", "v1_2");
        v.putNull("encryptionCertificate");
        v.putNull("encryptionCertificateId");
        v.putNull("notificationUrlAppId");
        return v;
    }
}
