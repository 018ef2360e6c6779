package io.m365connector.cloud;

import java.util.EnumMap;
import java.util.Map;

/**
 * Which Microsoft Graph APIs of the rooms feature each cloud serves, with the documentation page each
 * row comes from (the "national cloud deployments" table on that page). Pure data: services ask this
 * table, callers never need to know it.
 */
public enum GraphCapability {
    /**
     * {@code GET /places/microsoft.graph.room} and the room-list forms. The versions of Microsoft's page disagree: some
     * show it in the global cloud only (and 21Vianet's Graph answered "Resource not found for the segment 'places'":
     * microsoft-graph-docs-contrib issue 4744), others in all four clouds. So the connector tries it outside the global
     * cloud and treats that answer as not served.
     */
    PLACES("List places", "https://learn.microsoft.com/graph/api/place-list",
            Support.SERVED, Support.UNCERTAIN, Support.UNCERTAIN, Support.UNCERTAIN),
    /** {@code POST /me/calendar/getSchedule}: served in all four clouds. */
    GET_SCHEDULE("calendar: getSchedule", "https://learn.microsoft.com/graph/api/calendar-getschedule",
            Support.SERVED, Support.SERVED, Support.SERVED, Support.SERVED),
    /**
     * {@code POST /me/findMeetingTimes}. The versions of its page disagree about 21Vianet (the v1.0 page leaves it out,
     * the beta page, December 2026, shows it): the connector tries it there and, where Graph refuses, computes the
     * suggestions from getSchedule.
     */
    FIND_MEETING_TIMES("user: findMeetingTimes", "https://learn.microsoft.com/graph/api/user-findmeetingtimes",
            Support.SERVED, Support.SERVED, Support.SERVED, Support.UNCERTAIN);

    /** Whether a cloud serves an API. */
    public enum Support {
        SERVED,
        /** The documentation disagrees: call it, and accept Graph's "not found for the segment" as not served. */
        UNCERTAIN,
        NOT_SERVED
    }

    private final String page;
    private final String url;
    private final Map<NationalCloud, Support> support = new EnumMap<>(NationalCloud.class);

    GraphCapability(String page, String url, Support global, Support usgov, Support usgovdod, Support china) {
        this.page = page;
        this.url = url;
        support.put(NationalCloud.GLOBAL, global);
        support.put(NationalCloud.USGOV, usgov);
        support.put(NationalCloud.USGOVDOD, usgovdod);
        support.put(NationalCloud.CHINA, china);
    }

    public Support in(NationalCloud cloud) {
        return support.get(cloud);
    }

    /** True unless the cloud is known not to serve it. */
    public boolean mayBeServedIn(NationalCloud cloud) {
        return in(cloud) != Support.NOT_SERVED;
    }

    /** The Microsoft Learn page (title) that documents the API and its clouds. */
    public String page() {
        return page;
    }

    public String url() {
        return url;
    }
}
