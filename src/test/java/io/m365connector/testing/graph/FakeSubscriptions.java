package io.m365connector.testing.graph;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.cloud.NationalCloud;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Change-notification subscriptions on the fake Graph ({@code /subscriptions}, per cloud host) and the
 * notifications they cause, delivered through a {@link NotificationEndpoint} the test plugs in.
 *
 * <p>Every change the {@link FakeMailStore} logs (messages delivered, read, moved, deleted, drafts saved and
 * sent; events created, changed, cancelled, deleted) becomes a change notification to each matching
 * subscription: {@code {"value":[{"subscriptionId", "subscriptionExpirationDateTime", "clientState",
 * "changeType", "resource", "resourceData": {"@odata.type", "@odata.id", "@odata.etag", "id"}, "tenantId"}]}},
 * the shape of https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks and
 * https://learn.microsoft.com/en-us/graph/outlook-change-notifications-overview. Ids are immutable ones when the
 * subscription was created with {@code Prefer: IdType="ImmutableId"}
 * (https://learn.microsoft.com/en-us/graph/outlook-immutable-id).
 *
 * <p>Delivery: by default each notification is POSTed as soon as the change is made (after the Graph request
 * or test call that made it, outside the fake's lock). Failed ones are retried on the fake's clock when due
 * (see {@link NotificationOutbox}); due retries go out on the next request to the fake, the next test change,
 * or {@link #deliverDue()}. After 4 hours they are dropped and, for these Outlook resources, a {@code missed}
 * lifecycle notification goes to the lifecycleNotificationUrl
 * (https://learn.microsoft.com/en-us/graph/change-notifications-lifecycle-events).
 *
 * <p><b>Inferred</b> (not documented): a move is, to a subscription on all messages, one "updated" with
 * immutable ids, or "deleted" (old id) plus "created" (new id) with default ids; to a folder subscription,
 * "deleted" in the folder left and "created" in the folder entered. One notification per POST (Graph may
 * batch). {@code reauthorizationRequired} is sent only by {@link #sendLifecycle}, never on its own.
 */
public final class FakeSubscriptions {
    /** Lifecycle events of Outlook resources (change-notifications-lifecycle-events). */
    public static final Set<String> LIFECYCLE_EVENTS = Set.of("reauthorizationRequired", "subscriptionRemoved", "missed");

    private final Object lock;
    private final Clock clock;
    private final Function<NationalCloud, SyncCloudSupport> support;
    private final NotificationOutbox outbox;
    private final ChangeNotifications notifications;
    private volatile NotificationEndpoint endpoint = NotificationEndpoint.unreachable();
    private volatile boolean autoDeliver = true;
    // guarded by lock
    private final Map<String, SubscriptionState> subscriptions = new LinkedHashMap<>();
    private int limitPerMailbox = SubscriptionRequests.MAX_PER_MAILBOX;
    private boolean refuseDuplicates = true;

    FakeSubscriptions(Object lock, Clock clock, Function<NationalCloud, SyncCloudSupport> support) {
        this.lock = lock;
        this.clock = clock;
        this.support = support;
        this.outbox = new NotificationOutbox(lock, clock, () -> endpoint, new Owner());
        this.notifications = new ChangeNotifications(outbox, this::lifecycleServed);
    }

    // ---------------------------------------------------------------- test API

    /** Where validation requests and notifications go (default: nowhere, so creating a subscription fails validation). */
    public void setEndpoint(NotificationEndpoint endpoint) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    }

    /** With false, notifications wait until {@link #deliverDue()} (default true: sent as changes happen). */
    public void setAutoDeliver(boolean auto) {
        this.autoDeliver = auto;
    }

    /** Sends every notification whose (re)try time has come on the fake's clock; drops those 4 hours old. Returns the POSTs made. */
    public int deliverDue() {
        return outbox.deliverDue();
    }

    /** The subscriptions on {@code upn}'s mailbox (every app and cloud host), as Graph shows them; expired ones are gone. */
    public List<JsonNode> subscriptions(String upn) {
        synchronized (lock) {
            sweep();
            List<JsonNode> result = new ArrayList<>();
            subscriptions.values().stream().filter(s -> s.target.mailbox().equals(SyncValues.key(upn))).forEach(s -> result.add(s.view()));
            return List.copyOf(result);
        }
    }

    /**
     * Graph sends this lifecycle event ({@code reauthorizationRequired}, {@code subscriptionRemoved} or
     * {@code missed}) for the subscription; {@code subscriptionRemoved} also removes it. Returns whether a
     * notification was queued (only with a lifecycleNotificationUrl, in a cloud with lifecycle notifications).
     */
    public boolean sendLifecycle(String subscriptionId, String lifecycleEvent) {
        if (!LIFECYCLE_EVENTS.contains(lifecycleEvent)) {
            throw new IllegalArgumentException("lifecycleEvent must be one of " + LIFECYCLE_EVENTS);
        }
        boolean queued;
        synchronized (lock) {
            SubscriptionState s = subscriptions.get(subscriptionId);
            if (s == null) {
                throw new IllegalArgumentException("no subscription " + subscriptionId);
            }
            queued = notifications.lifecycle(s, lifecycleEvent);
            if (lifecycleEvent.equals("subscriptionRemoved")) {
                remove(s);
            }
        }
        afterChange();
        return queued;
    }

    /**
     * The user's password was reset (or the account disabled): Outlook removes every subscription made with
     * that user's delegated token and sends subscriptionRemoved
     * (https://devblogs.microsoft.com/microsoft365dev/subscription-lifetime-changes-for-outlook-resources/).
     * Returns how many were removed.
     */
    public int passwordReset(String upn) {
        int removed = 0;
        synchronized (lock) {
            for (SubscriptionState s : List.copyOf(subscriptions.values())) {
                if (s.target.mailbox().equals(SyncValues.key(upn))) {
                    notifications.lifecycle(s, "subscriptionRemoved");
                    remove(s);
                    removed++;
                }
            }
        }
        afterChange();
        return removed;
    }

    /** The subscription is gone on Graph's side without any notification (renew answers 404). Returns whether it existed. */
    public boolean deleteSubscriptionSilently(String subscriptionId) {
        synchronized (lock) {
            SubscriptionState s = subscriptions.get(subscriptionId);
            if (s != null) {
                remove(s);
            }
            return s != null;
        }
    }

    /** The next change notification is delivered twice. */
    public void duplicateNext() {
        outbox.duplicateNext();
    }

    /** Change notifications are kept back from now on (late notifications) until released. */
    public void holdNotifications() {
        outbox.hold();
    }

    /** Releases the held notifications newest first (out of order) and delivers what is due. */
    public void releaseInReverse() {
        outbox.release(true);
        afterChange();
    }

    /** Releases the held notifications in order and delivers what is due. */
    public void releaseHeld() {
        outbox.release(false);
        afterChange();
    }

    /** Every POST made to the endpoint: validations, change and lifecycle notifications, with answers. */
    public List<NotificationDelivery> deliveries() {
        return outbox.log();
    }

    /** Notifications not yet delivered (waiting for a retry, held, or not yet sent). */
    public int pendingNotifications() {
        return outbox.pendingCount();
    }

    /** Subscriptions allowed per mailbox for all apps (Graph: 1,000; lower it to test the 403 quickly). */
    public void setLimitPerMailbox(int limit) {
        synchronized (lock) {
            limitPerMailbox = limit;
        }
    }

    /**
     * With {@code true} (the default), a second subscription of an app to the same resource and change types answers 409,
     * as the Create subscription page says: "Duplicate subscriptions aren't allowed. When a subscription request contains
     * the same values for changeType and resource that an existing subscription contains, the request fails with an HTTP
     * error code 409 Conflict, and the error message Subscription Id &lt;&gt; already exists for the requested combination"
     * (api/subscription-post-subscriptions, "Duplicate subscription behavior"). With {@code false} it is made, as an older
     * sentence of the same page and of change-notifications-delivery-webhooks has it: "Each subscription has a unique
     * subscriptionId, even if you have multiple subscriptions that monitor the same resource and use the same
     * notification URL".
     */
    public void setRefuseDuplicates(boolean refuse) {
        synchronized (lock) {
            refuseDuplicates = refuse;
        }
    }

    // ---------------------------------------------------------------- package API (lock held unless said)

    boolean refuseDuplicates() {
        return refuseDuplicates;
    }

    NotificationEndpoint endpoint() {
        return endpoint;
    }

    Clock clock() {
        return clock;
    }

    NotificationOutbox outbox() {
        return outbox;
    }

    int limitPerMailbox() {
        return limitPerMailbox;
    }

    boolean lifecycleServed(NationalCloud cloud) {
        return support.apply(cloud).lifecycleNotifications();
    }

    Collection<SubscriptionState> all() {
        sweep();
        return subscriptions.values();
    }

    SubscriptionState get(String id) {
        sweep();
        return subscriptions.get(id);
    }

    void add(SubscriptionState s) {
        subscriptions.put(s.id, s);
    }

    void remove(SubscriptionState s) {
        subscriptions.remove(s.id);
        outbox.forget(s.id);
    }

    /** After a change, outside the lock: deliver now unless the test asked for manual delivery. */
    void afterChange() {
        if (autoDeliver) {
            outbox.deliverDue();
        }
    }

    /** A change in a mailbox: a notification to each matching subscription. */
    void changed(Notice n) {
        for (SubscriptionState s : all()) {
            if (s.target.mailbox().equals(SyncValues.key(n.upn())) && s.target.events() == n.event()) {
                notifications.changed(s, n);
            }
        }
    }

    void reset() {
        synchronized (lock) {
            subscriptions.clear();
            limitPerMailbox = SubscriptionRequests.MAX_PER_MAILBOX;
            refuseDuplicates = true;
        }
        outbox.reset();
        autoDeliver = true;
    }

    private void sweep() {
        for (SubscriptionState s : List.copyOf(subscriptions.values())) {
            if (s.isExpiredAt(clock.instant())) {
                remove(s);
            }
        }
    }

    /** What the outbox asks (with the lock held). */
    private final class Owner implements NotificationOutbox.Owner {
        @Override
        public void sweep() {
            FakeSubscriptions.this.sweep();
        }

        @Override
        public boolean exists(String subscriptionId) {
            return subscriptions.containsKey(subscriptionId);
        }

        @Override
        public void dropped(String subscriptionId) {
            SubscriptionState s = subscriptions.get(subscriptionId);
            if (s != null && !outbox.waiting(subscriptionId, "missed")) {
                notifications.lifecycle(s, "missed");
            }
        }
    }
}
