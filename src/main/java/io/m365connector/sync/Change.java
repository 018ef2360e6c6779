package io.m365connector.sync;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.m365connector.platform.Secrets;
import io.m365connector.platform.TextRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One change of a synced item, as the feed and the webhooks carry it. Its id is stable: the same item
 * at the same version (Graph's changeKey, or "deleted") always has the same change id, so a replayed
 * delta page, a resync or a crash replay never puts it in the feed twice.
 *
 * @param sequence   its place in the connection's feed (0 before it is appended)
 * @param resource   {@code inbox} or {@code calendar}
 * @param mailbox    the shared mailbox the item is in (its address, lower case); absent for the user's own
 * @param itemId     the message or event id (immutable ids)
 * @param changeKey  Graph's version of the item; null for a deletion
 * @param summary    a few fields for a web app to decide whether to fetch the item (subject, times), never a body
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Change(long sequence, String id, String resource, String mailbox, Type type, String itemId, String changeKey, Instant appendedAt,
                     Summary summary) {
    /** What happened to the item. */
    public enum Type {
        CREATED, UPDATED, DELETED;

        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What a web app sees of the item in the change (nothing secret, no body): a message's subject, sender and time of
     * arrival (and its To addresses); an event's subject, its start and end as UTC instants ({@code 2027-03-01T17:00:00Z}) and whether it lasts
     * whole days (its times are then midnights of the zone it was made in, as Graph gives them).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true) // a row a later version wrote, read by this one (a rollback, a rolling deploy)
    public record Summary(String subject, String from, String receivedAt, String start, String end, Boolean isAllDay, List<String> to) {
        /**
         * At most this many characters per field; a longer one keeps its first characters and ends in "…". Anyone can
         * send a mail with a subject of 40,000 characters, and a change is a Table row (64 KiB per string, 4 MiB per
         * append of up to 100 rows) and a webhook's queue message (64 KiB): uncut, such a mail stopped its mailbox's sync.
         */
        public static final int MAX_FIELD_CHARS = 1000;

        public Summary {
            subject = clipped(subject);
            from = clipped(from);
            receivedAt = clipped(receivedAt);
            start = clipped(start);
            end = clipped(end);
            to = recipientsWithin(to, MAX_FIELD_CHARS);
        }

        private static String clipped(String text) {
            return TextRules.clipped(text, MAX_FIELD_CHARS);
        }

        /** A message's. */
        public static Summary message(String subject, String from, String receivedAt) {
            return message(subject, from, receivedAt, null);
        }

        /** A message's, with its To addresses (a sent one's recipients: what a web app matches its contacts by). */
        public static Summary message(String subject, String from, String receivedAt, List<String> to) {
            return new Summary(subject, from, receivedAt, null, null, null, to);
        }

        /** An event's. */
        public static Summary event(String subject, String start, String end, Boolean isAllDay) {
            return new Summary(subject, null, null, start, end, isAllDay, null);
        }

        /** The same with {@code isAllDay}: stored in a column of its own (ChangeFeed), so that the JSON stays readable by older versions. */
        Summary withAllDay(Boolean allDay) {
            return new Summary(subject, from, receivedAt, start, end, allDay, to);
        }

        /** The same with {@code to}: stored in a column of its own as {@code isAllDay} is. */
        Summary withTo(List<String> recipients) {
            return new Summary(subject, from, receivedAt, start, end, isAllDay, recipients);
        }
    }

    /**
     * A message's To addresses, in order, as many as fit {@code chars} together (one text's budget: a mail to five hundred
     * people must not make its change a row too large); null when none.
     */
    private static List<String> recipientsWithin(List<String> to, int chars) {
        if (to == null) {
            return null;
        }
        List<String> kept = new ArrayList<>();
        int used = 0;
        for (String address : to) {
            if (address == null || address.isBlank()) {
                continue;
            }
            used += address.length();
            if (used > chars) {
                break;
            }
            kept.add(address);
        }
        return kept.isEmpty() ? null : List.copyOf(kept);
    }

    public Change {
        Objects.requireNonNull(id, "'id' cannot be null.");
        Objects.requireNonNull(resource, "'resource' cannot be null.");
        Objects.requireNonNull(type, "'type' cannot be null.");
        Objects.requireNonNull(itemId, "'itemId' cannot be null.");
    }

    /** A change not yet in the feed, with its stable id. */
    static Change of(SyncTarget target, Type type, String itemId, String changeKey, Summary summary) {
        String version = type == Type.DELETED ? "deleted" : String.valueOf(changeKey);
        // the user's own resources keep the ids they had before shared mailboxes were synced
        String where = target.isShared() ? target.resource().id() + "\n" + target.mailbox() : target.resource().id();
        String id = "chg_" + Secrets.sha256(where + "\n" + itemId + "\n" + version).substring(0, 32);
        return new Change(0, id, target.resource().id(), target.mailbox(), type, itemId, changeKey, null, summary);
    }

    static Change of(SyncResource resource, Type type, String itemId, String changeKey, Summary summary) {
        return of(SyncTarget.own(resource), type, itemId, changeKey, summary);
    }

    Change at(long newSequence, Instant appended) {
        return new Change(newSequence, id, resource, mailbox, type, itemId, changeKey, appended, summary);
    }
}
