package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST/GET /subscriptions}, {@code GET/PATCH/DELETE /subscriptions/{id}} and
 * {@code POST /subscriptions/{id}/reauthorize} on the fake Graph, for Outlook messages and events with delegated
 * tokens. Called by {@link FakeGraph} after the token check, <i>without</i> the lock: the validation handshake
 * calls the {@link NotificationEndpoint}, which may call the fake back.
 *
 * <p>Modelled from Create subscription (https://learn.microsoft.com/en-us/graph/api/subscription-post-subscriptions?view=graph-rest-1.0),
 * the subscription resource (https://learn.microsoft.com/en-us/graph/api/resources/subscription?view=graph-rest-1.0),
 * Update (https://learn.microsoft.com/en-us/graph/api/subscription-update?view=graph-rest-1.0) and Reauthorize
 * (https://learn.microsoft.com/en-us/graph/api/subscription-reauthorize?view=graph-rest-1.0):
 * <ul>
 *   <li>expirationDateTime at most 10,080 minutes ahead for Outlook messages and events, beyond it 400 (the resource
 *       page: requests beyond the maximum "will fail"; the message as reported in microsoft-graph-docs#2988, with
 *       today's maximum); "Any value under 45 minutes after the time of the request is automatically set to 45
 *       minutes after the request time";</li>
 *   <li>notificationUrl and lifecycleNotificationUrl must be https; clientState is at most 128 characters;</li>
 *   <li>the same changeType and resource again makes another subscription ("Each subscription has a unique
 *       subscriptionId, even if you have multiple subscriptions that monitor the same resource",
 *       change-notifications-delivery-webhooks); {@link FakeSubscriptions#setRefuseDuplicates} answers 409
 *       "Subscription Id &lt;id&gt; already exists for the requested combination" instead (a message reported for
 *       other resources: per app, user and cloud host; changeType compared as a set);</li>
 *   <li>over 1,000 subscriptions on a mailbox (all apps) answers 403 (change-notifications-overview);</li>
 *   <li>delegated tokens subscribe only to the signed-in user's own mailbox (outlook-change-notifications-overview);</li>
 *   <li>the validation handshake (change-notifications-delivery-webhooks): a POST of {@code ?validationToken=} as
 *       {@code text/plain; charset=utf-8} to notificationUrl and to lifecycleNotificationUrl; anything but 200
 *       text/plain with the decoded token within 10 seconds fails creation with 400;</li>
 *   <li>PATCH renews (expirationDateTime) or moves (notificationUrl, validated again); it cannot add a
 *       lifecycleNotificationUrl; a subscription that expired or was removed answers 404.</li>
 * </ul>
 * <b>Inferred</b>: error codes other than 409's message and ValidationError's messages (from community reports)
 * are the fake's own; Graph's throttling of subscription requests is not modelled.
 */
final class SubscriptionRequests {
    static final Duration MAX_LIFETIME = Duration.ofMinutes(10_080);
    static final Duration MIN_LIFETIME = Duration.ofMinutes(45);
    static final int MAX_CLIENT_STATE = 128;
    static final int MAX_PER_MAILBOX = 1000;
    private static final Set<String> CHANGE_TYPES = Set.of("created", "updated", "deleted");
    private static final Set<String> MAIL_SCOPES = Set.of("mail.readbasic", "mail.read", "mail.readwrite");
    private static final Set<String> CALENDAR_SCOPES = Set.of("calendars.read", "calendars.readwrite");

    private final Object lock;
    private final FakeSubscriptions subscriptions;
    private final FakeMailStore store;

    SubscriptionRequests(Object lock, FakeSubscriptions subscriptions, FakeMailStore store) {
        this.lock = lock;
        this.subscriptions = subscriptions;
        this.store = store;
    }

    /** The answer, or null when the fake does not implement the path. */
    SyncAnswer handle(SyncRequest r) {
        if (!r.support().subscriptions()) {
            return SyncAnswer.error(400, "BadRequest", "Resource not found for the segment 'subscriptions'.");
        }
        List<String> rest = r.rest();
        String method = r.method();
        if (rest.isEmpty()) {
            return method.equals("POST") ? create(r) : method.equals("GET") ? list(r) : null;
        }
        String id = rest.get(0);
        if (rest.size() == 1) {
            return switch (method) {
                case "GET" -> get(r, id);
                case "PATCH" -> update(r, id);
                case "DELETE" -> delete(r, id);
                default -> null;
            };
        }
        String action = rest.get(1).toLowerCase(Locale.ROOT).replace("microsoft.graph.", "");
        return rest.size() == 2 && action.equals("reauthorize") && method.equals("POST") ? reauthorize(r, id) : null;
    }

    // ---------------------------------------------------------------- create

    private SyncAnswer create(SyncRequest r) {
        JsonNode body = body(r);
        if (body == null) {
            return badJson();
        }
        String changeType = GraphJson.text(body, "changeType");
        String notificationUrl = GraphJson.text(body, "notificationUrl");
        String lifecycleUrl = GraphJson.text(body, "lifecycleNotificationUrl");
        String resource = GraphJson.text(body, "resource");
        String clientState = GraphJson.text(body, "clientState");
        Instant requested = SyncValues.parseTime(GraphJson.text(body, "expirationDateTime"));
        Set<String> types = changeTypes(changeType);
        if (types == null || notificationUrl == null || resource == null || requested == null) {
            return invalid("changeType (created, updated, deleted), notificationUrl, resource and expirationDateTime are required.");
        }
        SyncAnswer bad = checkUrl(notificationUrl, "notificationUrl");
        bad = bad != null ? bad : lifecycleUrl == null ? null : checkUrl(lifecycleUrl, "lifecycleNotificationUrl");
        bad = bad != null ? bad : tooLong(requested);
        if (bad == null && clientState != null && clientState.length() > MAX_CLIENT_STATE) {
            bad = invalid("clientState must be at most " + MAX_CLIENT_STATE + " characters.");
        }
        if (bad != null) {
            return bad;
        }
        SubscriptionState draft;
        synchronized (lock) {
            SubscriptionTargets.Parsed target = SubscriptionTargets.parse(resource, r, store);
            if (target.error() != null) {
                return target.error();
            }
            if (!r.hasAnyScope(target.target().events() ? CALENDAR_SCOPES : MAIL_SCOPES)) {
                return MailReads.accessDenied();
            }
            draft = new SubscriptionState(UUID.randomUUID().toString(), r.host(), r.cloud(), r.clientId(), r.user(), resource,
                    target.target(), types, changeType, notificationUrl, lifecycleUrl, clientState, r.immutableIds(),
                    atLeastMinimum(requested));
            SyncAnswer refused = refuse(draft);
            if (refused != null) {
                return refused;
            }
        }
        SyncAnswer failed = ValidationHandshake.validate(notificationUrl, subscriptions, lock);
        if (failed == null && lifecycleUrl != null && subscriptions.lifecycleServed(r.cloud())) {
            failed = ValidationHandshake.validate(lifecycleUrl, subscriptions, lock);
        }
        if (failed != null) {
            return failed;
        }
        synchronized (lock) {
            SyncAnswer refused = refuse(draft); // another request may have made the same one meanwhile
            if (refused != null) {
                return refused;
            }
            subscriptions.add(draft);
            return SyncAnswer.json(201, draft.view());
        }
    }

    /** 409 for a duplicate, 403 over the mailbox's limit; null when it may be created (lock held). */
    private SyncAnswer refuse(SubscriptionState s) {
        int onMailbox = 0;
        for (SubscriptionState other : subscriptions.all()) {
            if (subscriptions.refuseDuplicates() && other.target.equals(s.target) && other.changeTypes.equals(s.changeTypes)
                    && other.ownedBy(s.host, s.clientId, s.user)) {
                return SyncAnswer.error(409, "Conflict", "Subscription Id " + other.id + " already exists for the requested combination");
            }
            onMailbox += other.target.mailbox().equals(s.target.mailbox()) ? 1 : 0;
        }
        if (onMailbox >= subscriptions.limitPerMailbox()) {
            return SyncAnswer.error(403, "ExtensionError", "Operation: Create; Exception: [Status Code: Forbidden; Reason: The maximum "
                    + "number of " + subscriptions.limitPerMailbox() + " subscriptions per mailbox for all applications has been reached.]");
        }
        return null;
    }

    // ---------------------------------------------------------------- read, renew, reauthorize, delete

    private SyncAnswer list(SyncRequest r) {
        ArrayNode value = GraphJson.array();
        synchronized (lock) {
            for (SubscriptionState s : subscriptions.all()) {
                if (s.ownedBy(r.host(), r.clientId(), r.user())) {
                    ObjectNode v = s.view();
                    v.remove("@odata.context");
                    value.add(v);
                }
            }
        }
        ObjectNode list = GraphJson.object();
        list.put("@odata.context", r.baseUrl() + "/$metadata#subscriptions");
        list.set("value", value);
        return SyncAnswer.ok(list);
    }

    private SyncAnswer get(SyncRequest r, String id) {
        synchronized (lock) {
            SubscriptionState s = owned(r, id);
            return s == null ? gone() : SyncAnswer.ok(s.view());
        }
    }

    private SyncAnswer update(SyncRequest r, String id) {
        JsonNode body = body(r);
        if (body == null) {
            return badJson();
        }
        if (body.has("lifecycleNotificationUrl")) {
            return invalid("lifecycleNotificationUrl can only be set when the subscription is created.");
        }
        String url = GraphJson.text(body, "notificationUrl");
        String expiry = GraphJson.text(body, "expirationDateTime");
        Instant requested = SyncValues.parseTime(expiry);
        if ((url == null && expiry == null) || (expiry != null && requested == null)) {
            return invalid("The request body must contain either the expirationDateTime or notificationUrl property and its value.");
        }
        synchronized (lock) {
            SyncAnswer denied = checkOwnedWithScope(r, id);
            if (denied != null) {
                return denied;
            }
        }
        SyncAnswer bad = tooLong(requested);
        bad = bad != null || url == null ? bad : checkUrl(url, "notificationUrl");
        bad = bad != null || url == null ? bad : ValidationHandshake.validate(url, subscriptions, lock);
        if (bad != null) {
            return bad;
        }
        synchronized (lock) {
            SubscriptionState s = owned(r, id);
            if (s == null) {
                return gone();
            }
            if (requested != null) {
                s.expiration = atLeastMinimum(requested);
            }
            if (url != null) {
                s.notificationUrl = url;
            }
            return SyncAnswer.ok(s.view());
        }
    }

    private SyncAnswer reauthorize(SyncRequest r, String id) {
        synchronized (lock) {
            SyncAnswer denied = checkOwnedWithScope(r, id);
            return denied != null ? denied : SyncAnswer.empty(204);
        }
    }

    private SyncAnswer delete(SyncRequest r, String id) {
        synchronized (lock) {
            SubscriptionState s = owned(r, id);
            if (s == null) {
                return gone();
            }
            subscriptions.remove(s);
            return SyncAnswer.empty(204);
        }
    }

    /** Null when the subscription exists for this app, user and host and the token still has its permission (lock held). */
    private SyncAnswer checkOwnedWithScope(SyncRequest r, String id) {
        SubscriptionState s = owned(r, id);
        if (s == null) {
            return gone();
        }
        return r.hasAnyScope(s.target.events() ? CALENDAR_SCOPES : MAIL_SCOPES) ? null : MailReads.accessDenied();
    }

    private SubscriptionState owned(SyncRequest r, String id) {
        SubscriptionState s = subscriptions.get(id);
        return s != null && s.ownedBy(r.host(), r.clientId(), r.user()) ? s : null;
    }

    // ---------------------------------------------------------------- values

    private Instant atLeastMinimum(Instant requested) {
        Instant min = subscriptions.clock().instant().plus(MIN_LIFETIME);
        return requested.isBefore(min) ? min : requested;
    }

    /** The 400 for an expirationDateTime beyond the maximum; null when it is within it. */
    private SyncAnswer tooLong(Instant requested) {
        return requested != null && requested.isAfter(subscriptions.clock().instant().plus(MAX_LIFETIME))
                ? SyncAnswer.error(400, "ExtensionError", "Subscription expiration can only be " + MAX_LIFETIME.toMinutes()
                        + " minutes in the future.")
                : null;
    }

    private static Set<String> changeTypes(String changeType) {
        if (changeType == null || changeType.isBlank()) {
            return null;
        }
        Set<String> types = new LinkedHashSet<>();
        for (String t : changeType.split(",")) {
            String type = t.trim();
            if (!CHANGE_TYPES.contains(type)) {
                return null;
            }
            types.add(type);
        }
        return types;
    }

    private static SyncAnswer checkUrl(String url, String property) {
        try {
            URI uri = URI.create(url);
            if ("https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null) {
                return null;
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        return invalid("The " + property + " must be an absolute URL that uses the HTTPS protocol.");
    }

    private static JsonNode body(SyncRequest r) {
        JsonNode json = GraphJson.parse(r.body() == null || r.body().isBlank() ? "{}" : r.body());
        return json == null || !json.isObject() ? null : GraphJson.canonical(json);
    }

    private static SyncAnswer badJson() {
        return SyncAnswer.error(400, "BadRequest", "Unable to read JSON request payload.");
    }

    private static SyncAnswer invalid(String message) {
        return SyncAnswer.error(400, "InvalidRequest", message);
    }

    private static SyncAnswer gone() {
        return SyncAnswer.error(404, "ResourceNotFound", "The object was not found.");
    }
}
