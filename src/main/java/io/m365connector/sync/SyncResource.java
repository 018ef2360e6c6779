package io.m365connector.sync;

import io.m365connector.connection.Feature;
import io.m365connector.graph.Permissions;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What the connector keeps in step for a connection: the inbox's messages (and, when asked, Sent Items') and the calendar's
 * events (a rolling window of the calendar view), of the user's own mailbox and of the shared mailboxes the web
 * app names ({@link SyncTarget}). Each is synced on its own: its delta link, subscription and item index
 * are its own; its changes go to the connection's one feed.
 */
public enum SyncResource {
    /** The inbox: Graph's message delta on mailFolders('inbox'), subscriptions on me/mailFolders('inbox')/messages. */
    INBOX("inbox", Feature.MAIL_READ, new Permissions("syncing the inbox", List.of(Set.of("Mail.Read"), Set.of("Mail.ReadWrite")),
            "the mail_read feature (Mail.Read), or the mail feature (Mail.ReadWrite)"), "me/mailFolders('inbox')/messages",
            Set.of(Feature.SHARED_MAILBOX_READ, Feature.SHARED_MAILBOX), new Permissions("syncing a shared mailbox's inbox",
            List.of(Set.of("Mail.Read.Shared"), Set.of("Mail.ReadWrite.Shared")),
            "the shared_mailbox_read feature (Mail.Read.Shared), or the shared_mailbox feature (Mail.ReadWrite.Shared)")),
    /** The calendar: Graph's calendarView delta over a rolling window, subscriptions on me/events. */
    CALENDAR("calendar", Feature.CALENDAR_READ, new Permissions("syncing the calendar", List.of(Set.of("Calendars.Read"),
            Set.of("Calendars.ReadWrite")), "the calendar_read feature (Calendars.Read), or the calendar feature (Calendars.ReadWrite)"),
            "me/events", Set.of(Feature.SHARED_CALENDAR_READ, Feature.SHARED_CALENDAR), new Permissions("syncing a shared calendar",
            List.of(Set.of("Calendars.Read.Shared"), Set.of("Calendars.ReadWrite.Shared")),
            "the shared_calendar_read feature (Calendars.Read.Shared), or the shared_calendar feature (Calendars.ReadWrite.Shared)")),
    /**
     * The Sent Items folder, as the inbox (message delta on mailFolders('sentitems'), subscriptions on its messages): what the
     * user sends from any client. The user's own only: a message sent as a shared mailbox is kept in the sender's Sent Items
     * by default.
     */
    SENT_ITEMS("sentitems", Feature.SENT_ITEMS_READ, new Permissions("syncing Sent Items", List.of(Set.of("Mail.Read"), Set.of("Mail.ReadWrite")),
            "the sent_items_read feature (Mail.Read), or the mail feature (Mail.ReadWrite)"),
            "me/mailFolders('sentitems')/messages", Set.of(), null);

    private final String id;
    private final Feature feature;
    private final Permissions permissions;
    private final String subscriptionResource;
    private final Set<Feature> sharedFeatures;
    private final Permissions sharedPermissions;

    SyncResource(String id, Feature feature, Permissions permissions, String subscriptionResource, Set<Feature> sharedFeatures,
                 Permissions sharedPermissions) {
        this.id = id;
        this.feature = feature;
        this.permissions = permissions;
        this.subscriptionResource = subscriptionResource;
        this.sharedFeatures = sharedFeatures;
        this.sharedPermissions = sharedPermissions;
    }

    public String id() {
        return id;
    }

    /** Whether this is a mail folder (the inbox, Sent Items), synced by message delta; else the calendar. */
    public boolean isMailFolder() {
        return this != CALENDAR;
    }

    /** The well-known name of the mail folder ({@code inbox}, {@code sentitems}) in Graph's paths. */
    String folder() {
        if (!isMailFolder()) {
            throw new IllegalStateException(id + " is no mail folder");
        }
        return id;
    }

    /**
     * Whether {@code features} turn syncing this resource on: for the user's own mailbox its read feature (mail_read,
     * calendar_read), for a shared one either shared feature (shared_mailbox_read or shared_mailbox, shared_calendar_read
     * or shared_calendar). The one check behind sync runs, the timer, the status and the naming of shared mailboxes.
     */
    boolean turnedOnBy(Set<Feature> features, boolean shared) {
        return shared ? sharedFeatures.stream().anyMatch(features::contains) : features.contains(feature);
    }

    /** Whether {@code features} let any resource of a shared mailbox be synced (else none can have been named). */
    static boolean anyShared(Set<Feature> features) {
        for (SyncResource r : values()) {
            if (r.turnedOnBy(features, true)) {
                return true;
            }
        }
        return false;
    }

    Permissions permissions(boolean shared) {
        return shared ? sharedPermissions : permissions;
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
