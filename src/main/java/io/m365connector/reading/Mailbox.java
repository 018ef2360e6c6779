package io.m365connector.reading;

import io.m365connector.graph.GraphJsonRequests;
import io.m365connector.graph.Permissions;
import io.m365connector.outlook.MailRecipient;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Whose mail or calendar a read is about: the connected user's own (no {@code mailbox} parameter), or a
 * shared mailbox or calendar the user has rights on (its address). Reading someone else's needs the
 * {@code .Shared} permissions, and Exchange still checks the user's rights on that mailbox (403 otherwise).
 */
public record Mailbox(String address) {
    static final Mailbox OWN = new Mailbox(null);
    static final String PARAMETER = "mailbox";

    static final Permissions MAIL = new Permissions("reading mail", List.of(Set.of("Mail.Read"), Set.of("Mail.ReadWrite")),
            "the mail_read feature (Mail.Read), or the mail feature (Mail.ReadWrite)");
    static final Permissions SHARED_MAIL = new Permissions("reading a shared mailbox", List.of(Set.of("Mail.Read.Shared"),
            Set.of("Mail.ReadWrite.Shared")), "the shared_mailbox_read feature (Mail.Read.Shared), or the shared_mailbox feature "
            + "(Mail.ReadWrite.Shared)");
    static final Permissions CALENDAR = new Permissions("reading the calendar", List.of(Set.of("Calendars.Read"),
            Set.of("Calendars.ReadWrite")), "the calendar_read feature (Calendars.Read), or the calendar feature (Calendars.ReadWrite)");
    static final Permissions SHARED_CALENDAR = new Permissions("reading a shared calendar", List.of(Set.of("Calendars.Read.Shared"),
            Set.of("Calendars.ReadWrite.Shared")), "the shared_calendar_read feature (Calendars.Read.Shared), or the shared_calendar "
            + "feature (Calendars.ReadWrite.Shared)");

    /** The {@code mailbox} parameter of a listing (absent: the user's own). */
    static Mailbox parse(QueryParameters p) {
        String address = p.text(PARAMETER);
        if (address == null) {
            return OWN;
        }
        String problem = MailRecipient.problem(address);
        if (problem != null) {
            p.errors().add(PARAMETER, problem + " The shared mailbox's address, or leave it out for the user's own.");
            return OWN;
        }
        return new Mailbox(address);
    }

    boolean shared() {
        return address != null;
    }

    /** Graph's path to it, {@code /me} or {@code /users/{address}}, as a URI template under Graph's base URL. */
    String template() {
        return GraphJsonRequests.mailbox(address);
    }

    /** The values of {@link #template}, plus {@code more} (name, value, ...). */
    Map<String, Object> parameters(String... more) {
        return GraphJsonRequests.parameters(address, more);
    }

    Permissions mail() {
        return shared() ? SHARED_MAIL : MAIL;
    }

    Permissions calendar() {
        return shared() ? SHARED_CALENDAR : CALENDAR;
    }

    /** What a page cursor is bound to. */
    String fingerprint() {
        return shared() ? address.toLowerCase(Locale.ROOT) : "";
    }
}
