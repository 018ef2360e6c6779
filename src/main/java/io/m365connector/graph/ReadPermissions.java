package io.m365connector.graph;

import java.util.List;
import java.util.Set;

/**
 * What reading mail or a calendar needs, of the user's own mailbox or a shared one: the read permission, or the read-write
 * one that reads too. One place for the read API and for reading back an event the write API made.
 */
public final class ReadPermissions {
    public static final Permissions MAIL = new Permissions("reading mail", List.of(Set.of("Mail.Read"), Set.of("Mail.ReadWrite")),
            "the mail_read feature (Mail.Read), or the mail feature (Mail.ReadWrite)");
    public static final Permissions SHARED_MAIL = new Permissions("reading a shared mailbox", List.of(Set.of("Mail.Read.Shared"),
            Set.of("Mail.ReadWrite.Shared")), "the shared_mailbox_read feature (Mail.Read.Shared), or the shared_mailbox feature "
            + "(Mail.ReadWrite.Shared)");
    public static final Permissions CALENDAR = new Permissions("reading the calendar", List.of(Set.of("Calendars.Read"),
            Set.of("Calendars.ReadWrite")), "the calendar_read feature (Calendars.Read), or the calendar feature (Calendars.ReadWrite)");
    public static final Permissions SHARED_CALENDAR = new Permissions("reading a shared calendar", List.of(Set.of("Calendars.Read.Shared"),
            Set.of("Calendars.ReadWrite.Shared")), "the shared_calendar_read feature (Calendars.Read.Shared), or the shared_calendar "
            + "feature (Calendars.ReadWrite.Shared)");

    private ReadPermissions() {
    }
}
