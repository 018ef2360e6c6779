package io.m365connector.cloud;

import java.util.EnumMap;
import java.util.Map;

/**
 * What Microsoft Graph serves for mailbox and calendar sync in each cloud, with the Microsoft Learn page
 * each row comes from (its "national cloud deployments" table). Where a row says {@code UNCERTAIN} the
 * pages are silent or disagree: the connector does not depend on it (every resource is also synced on a
 * timer). docs/SYNC.md shows this table with the reasons; a test keeps the two equal.
 */
public enum SyncCapability {
    /**
     * Change notifications on Outlook messages and events. The create-subscription page lists all four
     * clouds for the API; no page has a per-resource cloud table, and only To Do tasks are excluded from
     * the national clouds, so messages and events are taken as served.
     */
    MESSAGE_AND_EVENT_SUBSCRIPTIONS("Create subscription", "https://learn.microsoft.com/graph/api/subscription-post-subscriptions",
            GraphCapability.Support.SERVED, GraphCapability.Support.SERVED, GraphCapability.Support.SERVED, GraphCapability.Support.SERVED),
    /**
     * Lifecycle notifications (reauthorizationRequired, subscriptionRemoved, missed). Reauthorize is listed
     * in all four clouds; the lifecycle article names no cloud.
     */
    LIFECYCLE_NOTIFICATIONS("Reduce missing subscriptions and change notifications",
            "https://learn.microsoft.com/graph/change-notifications-lifecycle-events",
            GraphCapability.Support.SERVED, GraphCapability.Support.UNCERTAIN, GraphCapability.Support.UNCERTAIN,
            GraphCapability.Support.UNCERTAIN),
    /**
     * Message delta on a mail folder. The page lists global, L4 and L5, not 21Vianet (the delta overview says
     * otherwise; msgraph-sdk-java issue 552 reports it failing there): not used in 21Vianet.
     */
    MESSAGE_DELTA("message: delta", "https://learn.microsoft.com/graph/api/message-delta",
            GraphCapability.Support.SERVED, GraphCapability.Support.SERVED, GraphCapability.Support.SERVED, GraphCapability.Support.NOT_SERVED),
    /** Delta of a calendar view: all four clouds. */
    CALENDAR_VIEW_DELTA("event: delta", "https://learn.microsoft.com/graph/api/event-delta",
            GraphCapability.Support.SERVED, GraphCapability.Support.SERVED, GraphCapability.Support.SERVED, GraphCapability.Support.SERVED);

    private final String page;
    private final String url;
    private final Map<NationalCloud, GraphCapability.Support> support = new EnumMap<>(NationalCloud.class);

    SyncCapability(String page, String url, GraphCapability.Support global, GraphCapability.Support usgov,
                   GraphCapability.Support usgovdod, GraphCapability.Support china) {
        this.page = page;
        this.url = url;
        support.put(NationalCloud.GLOBAL, global);
        support.put(NationalCloud.USGOV, usgov);
        support.put(NationalCloud.USGOVDOD, usgovdod);
        support.put(NationalCloud.CHINA, china);
    }

    public GraphCapability.Support in(NationalCloud cloud) {
        return support.get(cloud);
    }

    public boolean servedIn(NationalCloud cloud) {
        return in(cloud) == GraphCapability.Support.SERVED;
    }

    public String page() {
        return page;
    }

    public String url() {
        return url;
    }
}
