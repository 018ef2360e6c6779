package io.m365connector.connection;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a web app may do for a connected user, and the delegated Microsoft Graph permissions each
 * needs. Short scope names work in every cloud. Only {@link #ROOMS}' Place.Read.All always needs an
 * administrator's consent; tenants that restrict user consent need an administrator to approve the app once.
 */
public enum Feature {
    /**
     * Send mail as the user. Mail.ReadWrite is needed besides Mail.Send because a retried send looks for what it may
     * have sent (the tagged copy in Sent Items, or its draft) instead of mailing twice, and large attachments (upload
     * sessions) go through a draft.
     */
    MAIL("mail", "Mail.Send", "Mail.ReadWrite"),
    /** Create, update and cancel events in the user's own calendar. */
    CALENDAR("calendar", "Calendars.ReadWrite"),
    /** Send as or on behalf of a shared mailbox the user has rights on. */
    SHARED_MAILBOX("shared_mailbox", "Mail.Send.Shared", "Mail.ReadWrite.Shared"),
    /** Create, update and cancel events in calendars shared with the user. */
    SHARED_CALENDAR("shared_calendar", "Calendars.ReadWrite.Shared"),
    /**
     * Meeting rooms and availability: the tenant's rooms (Place.Read.All, which needs admin consent),
     * free/busy of people and rooms (Calendars.ReadBasic) and meeting-time suggestions
     * (Calendars.Read.Shared). All read-only; booking a room is an event, so it needs {@link #CALENDAR}.
     */
    ROOMS("rooms", "Place.Read.All", "Calendars.ReadBasic", "Calendars.Read.Shared"),
    /** Read the user's mail and follow its changes (read API, sync). The mail feature's Mail.ReadWrite reads too. */
    MAIL_READ("mail_read", "Mail.Read"),
    /** Read the user's calendar and follow its changes (read API, sync). The calendar feature's Calendars.ReadWrite reads too. */
    CALENDAR_READ("calendar_read", "Calendars.Read"),
    /**
     * Read shared mailboxes the user has rights on (read API with {@code mailbox}), and sync the inbox of
     * those the web app names (by delta polling: Graph's delegated subscriptions do not cover shared mailboxes).
     */
    SHARED_MAILBOX_READ("shared_mailbox_read", "Mail.Read.Shared"),
    /** Read calendars shared with the user (read API with {@code mailbox}), and sync those the web app names (delta polling). */
    SHARED_CALENDAR_READ("shared_calendar_read", "Calendars.Read.Shared"),
    /**
     * Follow the changes of the user's Sent Items folder too (sync): what the user sends from Outlook or any other client
     * reaches the change feed. The same permission as {@link #MAIL_READ} (or the mail feature's Mail.ReadWrite); a feature
     * of its own because it adds a resource to the feed, which a web app asks for.
     */
    SENT_ITEMS_READ("sent_items_read", "Mail.Read");

    /** Asked for on every sign-in: the ID token, the profile claims and a refresh token (in the order Entra ID documents them). */
    public static final List<String> SIGN_IN_SCOPES = List.of("openid", "profile", "offline_access");

    private final String id;
    private final Set<String> scopes;

    Feature(String id, String... scopes) {
        this.id = id;
        this.scopes = Set.of(scopes);
    }

    public String id() {
        return id;
    }

    /** The Graph permissions (short names) this feature needs. */
    public Set<String> scopes() {
        return scopes;
    }

    public static Optional<Feature> fromId(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.id.equals(wanted)).findFirst();
    }

    /** The union of the scopes of some features, sorted. */
    public static Set<String> scopesOf(Collection<Feature> features) {
        Set<String> all = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        features.forEach(f -> all.addAll(f.scopes));
        return all;
    }

    public static String allowedIds() {
        return String.join(", ", Arrays.stream(values()).map(Feature::id).toList());
    }
}
