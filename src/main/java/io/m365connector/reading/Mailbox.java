package io.m365connector.reading;

import io.m365connector.graph.GraphJsonRequests;
import io.m365connector.graph.Permissions;
import io.m365connector.graph.ReadPermissions;
import io.m365connector.outlook.MailRecipient;
import java.util.Locale;
import java.util.Map;

/**
 * Whose mail or calendar a read is about: the connected user's own (no {@code mailbox} parameter), or a
 * shared mailbox or calendar the user has rights on (its address). Reading someone else's needs the
 * {@code .Shared} permissions, and Exchange still checks the user's rights on that mailbox (403 otherwise).
 */
public record Mailbox(String address) {
    static final Mailbox OWN = new Mailbox(null);
    static final String PARAMETER = "mailbox";

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
        return shared() ? ReadPermissions.SHARED_MAIL : ReadPermissions.MAIL;
    }

    Permissions calendar() {
        return shared() ? ReadPermissions.SHARED_CALENDAR : ReadPermissions.CALENDAR;
    }

    /** What a page cursor is bound to. */
    String fingerprint() {
        return shared() ? address.toLowerCase(Locale.ROOT) : "";
    }
}
