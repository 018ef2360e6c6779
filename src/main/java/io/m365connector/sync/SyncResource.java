package io.m365connector.sync;

import io.m365connector.connection.Feature;
import io.m365connector.graph.Permissions;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What the connector keeps in step for a connection: the inbox's messages and the calendar's events
 * (a rolling window of the calendar view). Each is synced on its own: its delta link, subscription
 * and item index are its own; its changes go to the connection's one feed.
 */
public enum SyncResource {
    /** The inbox: Graph's message delta on mailFolders('inbox'), subscriptions on me/mailFolders('inbox')/messages. */
    INBOX("inbox", Feature.MAIL_READ, new Permissions("syncing the inbox", List.of(Set.of("Mail.Read"), Set.of("Mail.ReadWrite")),
            "the mail_read feature (Mail.Read), or the mail feature (Mail.ReadWrite)"), "me/mailFolders('inbox')/messages"),
    /** The calendar: Graph's calendarView delta over a rolling window, subscriptions on me/events. */
    CALENDAR("calendar", Feature.CALENDAR_READ, new Permissions("syncing the calendar", List.of(Set.of("Calendars.Read"),
            Set.of("Calendars.ReadWrite")), "the calendar_read feature (Calendars.Read), or the calendar feature (Calendars.ReadWrite)"),
            "me/events");

    private final String id;
    private final Feature feature;
    private final Permissions permissions;
    private final String subscriptionResource;

    SyncResource(String id, Feature feature, Permissions permissions, String subscriptionResource) {
        this.id = id;
        this.feature = feature;
        this.permissions = permissions;
        this.subscriptionResource = subscriptionResource;
    }

    public String id() {
        return id;
    }

    /** The feature that turns syncing this resource on. */
    public Feature feature() {
        return feature;
    }

    Permissions permissions() {
        return permissions;
    }

    /** The {@code resource} of a Graph subscription to this resource's changes. */
    public String subscriptionResource() {
        return subscriptionResource;
    }

    public static Optional<SyncResource> fromId(String value) {
        for (SyncResource r : values()) {
            if (r.id.equals(value == null ? null : value.toLowerCase(Locale.ROOT))) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
