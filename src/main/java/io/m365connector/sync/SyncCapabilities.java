package io.m365connector.sync;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.cloud.SyncCapability;
import io.m365connector.connection.Connection;
import java.time.Duration;

/** How each resource is kept in step in each cloud, from {@link SyncCapability}: notifications plus a timer, or the timer alone. */
final class SyncCapabilities {
    /** With notifications, the timer still runs every resource's delta this often: a dropped notification costs at most this. */
    static final Duration SAFETY_INTERVAL = Duration.ofHours(1);
    /** Without notifications, the timer runs the delta this often: the latency the README states. */
    static final Duration POLL_INTERVAL = Duration.ofMinutes(5);

    private SyncCapabilities() {
    }

    /**
     * Whether Graph notifies changes of {@code target} in {@code cloud} (then a subscription is kept). Never for a shared
     * mailbox: delegated subscriptions do not cover other users' mailboxes
     * (https://learn.microsoft.com/graph/outlook-share-messages-folders), so the timer polls them.
     */
    static boolean notifies(NationalCloud cloud, SyncTarget target) {
        return !target.isShared() && SyncCapability.MESSAGE_AND_EVENT_SUBSCRIPTIONS.servedIn(cloud);
    }

    /** Whether the connection's features turn the target's sync on and its cloud serves the resource's delta. */
    static boolean enabled(Connection c, SyncTarget target) {
        return target.resource().turnedOnBy(c.features(), target.isShared()) && served(c.cloud(), target.resource());
    }

    /** Whether the resource can be synced at all in the cloud (a mail folder needs message delta). */
    static boolean served(NationalCloud cloud, SyncResource resource) {
        return resource.isMailFolder() ? SyncCapability.MESSAGE_DELTA.servedIn(cloud) : SyncCapability.CALENDAR_VIEW_DELTA.servedIn(cloud);
    }

    static Duration safetyInterval() {
        return SAFETY_INTERVAL;
    }

    static Duration pollInterval() {
        return POLL_INTERVAL;
    }
}
