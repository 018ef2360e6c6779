package io.m365connector.reading;

import io.m365connector.outlook.MailRecipient;
import io.m365connector.platform.RequestValidationException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * GET /connections/{id}/messages: a folder (a well-known name or a folder id), filters Graph applies
 * (received since, from, unread, has attachments), a page size of at most 100 and the cursor of the
 * previous page. Newest first, as Graph lists a folder.
 */
public record MessageQuery(Mailbox mailbox, String folder, Instant receivedSince, String from, Boolean unread, Boolean hasAttachments,
                           int pageSize, int skip, Instant before) {
    public static final int MAX_PAGE_SIZE = 100;
    static final int DEFAULT_PAGE_SIZE = 25;
    /** Graph's well-known folder names that the API accepts in place of a folder id. */
    static final Set<String> WELL_KNOWN_FOLDERS = Set.of("inbox", "sentitems", "drafts", "deleteditems", "archive", "junkemail");
    /** The lower bound of the filter when none is asked for: older than any mailbox. */
    private static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");
    /** The latest receivedSince taken: the end of the range event times take (a typo such as year 20260 is refused here). */
    private static final Instant LATEST = Instant.parse("2199-12-31T23:59:59Z");
    private static final Pattern FOLDER_ID = Pattern.compile("[A-Za-z0-9_=+-]{1,512}");
    private static final Set<String> PARAMETERS = Set.of("folder", "receivedSince", "from", "unread", "hasAttachments", "pageSize",
            "cursor", "code", Mailbox.PARAMETER);

    public static MessageQuery parse(Map<String, String> query) {
        QueryParameters p = new QueryParameters(query, PARAMETERS, new RequestValidationException.Collector());
        String folder = p.text("folder") == null ? "inbox" : p.text("folder");
        if (WELL_KNOWN_FOLDERS.contains(folder.toLowerCase(Locale.ROOT))) {
            folder = folder.toLowerCase(Locale.ROOT);
        } else if (!FOLDER_ID.matcher(folder).matches()) {
            p.errors().add("folder", "A well-known folder (" + String.join(", ", WELL_KNOWN_FOLDERS.stream().sorted().toList())
                    + ") or a folder id.");
        }
        String from = p.text("from");
        if (from != null && MailRecipient.problem(from) != null) {
            p.errors().add("from", MailRecipient.problem(from));
        }
        Instant since = p.instant("receivedSince");
        if (since != null && (since.isBefore(EARLIEST) || since.isAfter(LATEST))) {
            p.errors().add("receivedSince", "Must be between " + EARLIEST + " and " + LATEST + ".");
            since = null;
        }
        MessageQuery draft = new MessageQuery(Mailbox.parse(p), folder, since, from, p.bool("unread"), p.bool("hasAttachments"),
                p.number("pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE), 0, null);
        PageCursor.Position position = PageCursor.position(p.text("cursor"), draft.fingerprint(), p.errors(), true);
        p.errors().throwIfAny();
        return new MessageQuery(draft.mailbox, draft.folder, draft.receivedSince, draft.from, draft.unread, draft.hasAttachments, draft.pageSize,
                position.skip(), position.before());
    }

    /**
     * Graph's $filter for these filters. It always starts with receivedDateTime: the listing is ordered by
     * it ({@code $orderby=receivedDateTime desc}), and Graph refuses a sort property that does not lead the
     * filter (400 InefficientFilter, "Using filter and orderby in the same query").
     */
    String graphFilter() {
        List<String> clauses = new ArrayList<>();
        clauses.add("receivedDateTime ge " + (receivedSince == null ? EARLIEST : receivedSince));
        if (before != null) { // a later page: what was received up to the end of the second of the last item read (cursorAfter)
            clauses.add("receivedDateTime lt " + before.plusSeconds(1));
        }
        if (from != null) {
            clauses.add("from/emailAddress/address eq '" + from.replace("'", "''") + "'");
        }
        if (unread != null) {
            clauses.add("isRead eq " + !unread);
        }
        if (hasAttachments != null) {
            clauses.add("hasAttachments eq " + hasAttachments);
        }
        return String.join(" and ", clauses);
    }

    /**
     * The cursor after this page. Pages are keyed by the second in which the last item was received, not counted: a
     * message that arrives or leaves between two reads would shift counted pages by one, and one message could be passed
     * over. The next page lists what was received before the end of that second, skipping the items of that second already
     * read. Graph shows receivedDateTime to the second while Exchange keeps it finer, so the whole second is asked for and
     * those read are skipped; within one second the order is Graph's, and a message of that second that arrives or leaves
     * between two reads still shifts the page by one.
     */
    String cursorAfter(List<Instant> received) {
        Instant last = received.get(received.size() - 1);
        if (last == null || (before == null && skip > 0)) {
            // a message without its time, or a page of a counted cursor of the previous version: go on counting from there
            return before == null ? PageCursor.of(skip + received.size(), fingerprint()) : PageCursor.after(before, skip + received.size(), fingerprint());
        }
        // A time shown after the bound asked for (Graph rounding up, say) counts as the bound's second: the skip then grows,
        // and the listing always moves on
        Instant shown = last.truncatedTo(ChronoUnit.SECONDS);
        Instant second = before != null && shown.isAfter(before) ? before : shown;
        boolean sameSecond = second.equals(before);
        // in the bound's second: every item of this page at or after it (the page was asked for before its end); else the ties
        long read = received.stream().filter(t -> t != null && (sameSecond ? !t.truncatedTo(ChronoUnit.SECONDS).isBefore(second)
                : t.truncatedTo(ChronoUnit.SECONDS).equals(second))).count();
        return PageCursor.after(second, (int) read + (sameSecond ? skip : 0), fingerprint());
    }

    String fingerprint() {
        return PageCursor.fingerprint(mailbox.fingerprint() + "\n" + folder + "\n" + receivedSince + "\n" + (from == null ? "" : from.toLowerCase(Locale.ROOT)) + "\n"
                + unread + "\n" + hasAttachments + "\n" + pageSize);
    }
}
