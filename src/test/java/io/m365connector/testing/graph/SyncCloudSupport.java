package io.m365connector.testing.graph;

import io.m365connector.cloud.NationalCloud;
import java.util.EnumMap;
import java.util.Map;

/**
 * Which read/sync features Microsoft Graph serves in one national cloud, as the fake models them. The
 * documented table is {@link #DOCUMENTED}; a test changes a cloud's row on its own {@link FakeGraph} with
 * {@link FakeGraph#setSyncSupport}, so a connector can be tested with a feature missing.
 *
 * <p>Sources (the "National cloud availability" tables of each API page; research notes, per-cloud matrix):
 * <ul>
 *   <li>{@code messageDelta}: message: delta, https://learn.microsoft.com/en-us/graph/api/message-delta?view=graph-rest-1.0,
 *       shows Global, US Gov L4, US Gov L5 but not China. The delta overview
 *       (https://learn.microsoft.com/en-us/graph/delta-query-overview) names China in general terms; the per-API
 *       page wins, and a 2020 report (microsoftgraph/msgraph-sdk-java#552) got {@code 400 ErrorInvalidIdMalformed}
 *       from {@code microsoftgraph.chinacloudapi.cn} for mail folder delta, which is what the fake answers there.</li>
 *   <li>{@code mailFolderDelta}: mailFolder: delta,
 *       https://learn.microsoft.com/en-us/graph/api/mailfolder-delta?view=graph-rest-1.0: the same three clouds.</li>
 *   <li>{@code calendarViewDelta}: event: delta, https://learn.microsoft.com/en-us/graph/api/event-delta?view=graph-rest-1.0:
 *       all four clouds.</li>
 *   <li>{@code subscriptions}: Create subscription,
 *       https://learn.microsoft.com/en-us/graph/api/subscription-post-subscriptions?view=graph-rest-1.0: all four
 *       clouds for the API. No page has a per-resource cloud table; that Outlook messages and events can be
 *       subscribed to in every cloud is <b>inferred</b> from that and from the absence of an exclusion (there is one
 *       for todoTask only).</li>
 *   <li>{@code lifecycleNotifications}: https://learn.microsoft.com/en-us/graph/change-notifications-lifecycle-events
 *       states no cloud; reauthorize is in all four clouds
 *       (https://learn.microsoft.com/en-us/graph/api/subscription-reauthorize?view=graph-rest-1.0). <b>Inferred</b>: on
 *       wherever subscriptions are. When off, a lifecycleNotificationUrl is accepted but neither validated nor
 *       ever called (also an inference: what Graph would do is undocumented).</li>
 *   <li>{@code immutableIds}: https://learn.microsoft.com/en-us/graph/outlook-immutable-id has no cloud table.
 *       <b>Inferred</b>: on everywhere. When off, the {@code Prefer: IdType="ImmutableId"} header is ignored and
 *       default ids come back (an unsupported Prefer value is usually ignored; also inferred).</li>
 * </ul>
 */
public record SyncCloudSupport(boolean messageDelta, boolean mailFolderDelta, boolean calendarViewDelta, boolean subscriptions,
                               boolean lifecycleNotifications, boolean immutableIds) {
    /** Everything served. */
    public static final SyncCloudSupport ALL = new SyncCloudSupport(true, true, true, true, true, true);

    /** The documented (and, where marked above, inferred) support per cloud. Unmodifiable. */
    public static final Map<NationalCloud, SyncCloudSupport> DOCUMENTED = documented();

    public SyncCloudSupport withMessageDelta(boolean served) {
        return new SyncCloudSupport(served, mailFolderDelta, calendarViewDelta, subscriptions, lifecycleNotifications, immutableIds);
    }

    public SyncCloudSupport withMailFolderDelta(boolean served) {
        return new SyncCloudSupport(messageDelta, served, calendarViewDelta, subscriptions, lifecycleNotifications, immutableIds);
    }

    public SyncCloudSupport withCalendarViewDelta(boolean served) {
        return new SyncCloudSupport(messageDelta, mailFolderDelta, served, subscriptions, lifecycleNotifications, immutableIds);
    }

    public SyncCloudSupport withSubscriptions(boolean served) {
        return new SyncCloudSupport(messageDelta, mailFolderDelta, calendarViewDelta, served, lifecycleNotifications, immutableIds);
    }

    public SyncCloudSupport withLifecycleNotifications(boolean served) {
        return new SyncCloudSupport(messageDelta, mailFolderDelta, calendarViewDelta, subscriptions, served, immutableIds);
    }

    public SyncCloudSupport withImmutableIds(boolean served) {
        return new SyncCloudSupport(messageDelta, mailFolderDelta, calendarViewDelta, subscriptions, lifecycleNotifications, served);
    }

    private static Map<NationalCloud, SyncCloudSupport> documented() {
        Map<NationalCloud, SyncCloudSupport> table = new EnumMap<>(NationalCloud.class);
        table.put(NationalCloud.GLOBAL, ALL);
        table.put(NationalCloud.USGOV, ALL);
        table.put(NationalCloud.USGOVDOD, ALL);
        table.put(NationalCloud.CHINA, ALL.withMessageDelta(false).withMailFolderDelta(false));
        return Map.copyOf(table);
    }
}
