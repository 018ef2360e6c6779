package io.m365connector.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.graph.GraphException;
import io.m365connector.graph.GraphJsonRequests;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.graph.GraphSession;
import io.m365connector.graph.GraphTemplates;
import io.m365connector.graph.GraphValues;
import io.m365connector.outlook.OutlookPrefer;
import io.m365connector.outlook.TimeZones;
import io.m365connector.platform.ProblemCode;
import java.io.UncheckedIOException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Graph's delta queries for a synced target: a mail folder's message delta (the inbox, Sent Items) and the calendar view's delta
 * over a window, of {@code /me} or of a shared mailbox ({@code /users/{address}}). Pages of up to {@link #PAGE_SIZE} items, immutable ids, and no more fields than a
 * change's summary needs (Graph's calendarView delta takes no $select; its events come whole).
 *
 * <p>The pages are read as JSON ({@link GraphJsonRequests}), not as the SDK's {@code Message} and {@code Event} models: those
 * derive from {@code Entity}, which costs a cold sync worker the ~1,100 model classes the verifier loads (BENCHMARKS.md,
 * issue 24). {@code DeltaJsonTest} checks that every page reads as the SDK's models read it.
 */
final class DeltaReader {
    static final int PAGE_SIZE = 100;
    /** Messages per page of a folder's listing ($top from 1 to 1000, Learn: List messages; large pages risk a 504 there). */
    static final int FOLDER_PAGE = 500;
    private static final String[] MESSAGE_FIELDS = {"id", "changeKey", "subject", "from", "receivedDateTime", "toRecipients"};
    private static final String[] CHECK_FIELDS = {"id", "changeKey", "subject", "from", "receivedDateTime", "toRecipients", "parentFolderId"};
    // The SDK's URI templates (mailFolders/{id}/messages/delta, calendarView/delta, mailFolders/{id}).
    private static final String MESSAGE_DELTA = "/mailFolders/{mailFolder%2Did}/messages/delta()"
            + "{?%24count,%24expand,%24filter,%24orderby,%24search,%24select,%24skip,%24top,changeType*}";
    private static final String CALENDAR_DELTA = "/calendarView/delta()?endDateTime={endDateTime}&startDateTime={startDateTime}"
            + "{&%24count,%24expand,%24filter,%24orderby,%24search,%24select,%24skip,%24top}";
    private static final String FOLDER = "/mailFolders/{mailFolder%2Did}{?%24expand,%24select,includeHiddenFolders*}";

    private DeltaReader() {
    }

    /** The first page of a full sync (for the calendar, of the state's window). */
    static DeltaPage first(GraphSession session, SyncTarget target, SyncState state) {
        if (target.resource().isMailFolder()) {
            return session.call(Safety.REPEATABLE, c -> read(target, GraphJsonRequests.get(c, mailbox(target) + MESSAGE_DELTA,
                    parameters(target, "mailFolder%2Did", target.resource().folder()), Map.of("%24select", MESSAGE_FIELDS), preferences())));
        }
        return session.call(Safety.REPEATABLE, c -> read(target, GraphJsonRequests.get(c, mailbox(target) + CALENDAR_DELTA,
                parameters(target, "startDateTime", state.windowStart().toString(), "endDateTime", state.windowEnd().toString()),
                Map.of(), preferences())));
    }

    /** The page at a next link or a delta link Graph gave earlier. */
    static DeltaPage follow(GraphSession session, SyncTarget target, String link) {
        return session.call(Safety.REPEATABLE, c -> read(target, GraphJsonRequests.getAt(c, link, preferences())));
    }

    /**
     * A message a mail folder's delta reported removed, read again: its id and summary when it is in the folder after all,
     * else empty (deleted, or moved to another folder). With immutable ids a message moved out and back between two
     * delta calls is reported removed, and not again until it changes (reported by users, open on Microsoft's docs:
     * microsoft-graph-docs-contrib#72); a delete undone in Outlook does exactly that.
     *
     * @param folderId the folder's id ({@link #folderId})
     */
    static Optional<DeltaPage.Item> stillInFolder(GraphSession session, SyncTarget target, String messageId, String folderId) {
        JsonNode m;
        try {
            m = session.call(Safety.REPEATABLE, c -> GraphJsonRequests.get(c, mailbox(target) + GraphTemplates.MESSAGE,
                    parameters(target, "message%2Did", messageId), Map.of("%24select", CHECK_FIELDS), List.of(OutlookPrefer.IMMUTABLE_IDS)));
        } catch (GraphException e) {
            if (e.code() == ProblemCode.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
        if (m == null || !folderId.equals(GraphValues.text(m, "parentFolderId"))) {
            return Optional.empty();
        }
        return Optional.of(message(m));
    }

    /**
     * The messages in the synced mail folder now, by id, with what a change's summary needs: read when a page reports more
     * removals than are read one by one ({@link #stillInFolder}), so that a bulk delete undone (which Graph reports removed,
     * as a single one) is no deletion either. Pages of {@link #FOLDER_PAGE}; empty when the folder holds more than
     * {@code mostPages} pages (then the removals are taken as reported).
     */
    static Optional<Map<String, DeltaPage.Item>> folderItems(GraphSession session, SyncTarget target, int mostPages, Runnable beforeEachPage) {
        Map<String, DeltaPage.Item> items = new LinkedHashMap<>();
        beforeEachPage.run();
        JsonNode page = session.call(Safety.REPEATABLE, c -> GraphJsonRequests.get(c, mailbox(target) + GraphTemplates.FOLDER_MESSAGES,
                parameters(target, "mailFolder%2Did", target.resource().folder()), Map.of("%24top", FOLDER_PAGE, "%24select", MESSAGE_FIELDS),
                List.of(OutlookPrefer.IMMUTABLE_IDS)));
        for (int pages = 1; ; pages++) {
            GraphValues.list(page, "value").stream().map(DeltaReader::message).filter(i -> i.id() != null).forEach(i -> items.put(i.id(), i));
            String next = GraphValues.text(page, "@odata.nextLink");
            if (next == null) {
                return Optional.of(items);
            }
            if (pages >= mostPages) {
                return Optional.empty();
            }
            beforeEachPage.run();
            page = session.call(Safety.REPEATABLE, c -> GraphJsonRequests.getAt(c, next, List.of(OutlookPrefer.IMMUTABLE_IDS)));
        }
    }

    /** The synced mail folder's id, as messages name it in {@code parentFolderId}. */
    static String folderId(GraphSession session, SyncTarget target) {
        String folder = target.resource().folder();
        return session.call(Safety.REPEATABLE, c -> required(GraphValues.text(GraphJsonRequests.get(c, mailbox(target) + FOLDER,
                parameters(target, "mailFolder%2Did", folder), Map.of("%24select", new String[] {"id"}), List.of(OutlookPrefer.IMMUTABLE_IDS)),
                "id"), "the " + folder + " folder's id"));
    }

    /** {@code /me}, or {@code /users/{address}} for a shared mailbox (a link Graph gave is followed as given). */
    private static String mailbox(SyncTarget target) {
        return GraphJsonRequests.mailbox(target.isShared() ? target.mailbox() : null);
    }

    private static Map<String, Object> parameters(SyncTarget target, String... more) {
        return GraphJsonRequests.parameters(target.isShared() ? target.mailbox() : null, more);
    }

    private static List<String> preferences() {
        return List.of("odata.maxpagesize=" + PAGE_SIZE, OutlookPrefer.IMMUTABLE_IDS, OutlookPrefer.timeZone("UTC"));
    }

    /**
     * A delta page that a run can go on from, else an {@link UncheckedIOException} inside the retried call (a broken answer,
     * retried like one that broke off). Graph's pages carry a next link or a delta link and items with ids (Learn: delta
     * query overview); a page without them must never reach the run, whose full sync would take every item not on it
     * for deleted.
     */
    static DeltaPage read(SyncTarget target, JsonNode answer) {
        DeltaPage page = page(target, answer); // no body at all is refused before, with every GET's (GraphJsonRequests)
        if (page.nextLink() == null && page.deltaLink() == null) {
            throw GraphJsonRequests.brokenAnswer("Microsoft Graph's delta page had neither a next link nor a delta link");
        }
        if (page.items().stream().anyMatch(item -> item.id() == null)) {
            throw GraphJsonRequests.brokenAnswer("Microsoft Graph's delta page had an item without an id");
        }
        return page;
    }

    /** The page's items and links, read as the SDK's models read them ({@code DeltaJsonTest}). */
    static DeltaPage page(SyncTarget target, JsonNode page) {
        List<DeltaPage.Item> items = GraphValues.list(page, "value").stream()
                .map(target.resource().isMailFolder() ? DeltaReader::message : DeltaReader::event).toList();
        return new DeltaPage(items, GraphValues.text(page, "@odata.nextLink"), GraphValues.text(page, "@odata.deltaLink"));
    }

    private static DeltaPage.Item message(JsonNode m) {
        OffsetDateTime received = GraphValues.time(m, "receivedDateTime");
        List<String> to = GraphValues.list(m, "toRecipients").stream().map(r -> GraphValues.text(r.path("emailAddress"), "address")).toList();
        return item(m, Change.Summary.message(GraphValues.text(m, "subject"), GraphValues.text(m.path("from").path("emailAddress"), "address"),
                received == null ? null : received.toInstant().toString(), to));
    }

    private static DeltaPage.Item event(JsonNode e) {
        return item(e, Change.Summary.event(GraphValues.text(e, "subject"), instant(e.path("start")), instant(e.path("end")),
                GraphValues.bool(e, "isAllDay")));
    }

    /**
     * An event's dateTimeTimeZone as a UTC instant. The pages are asked for in UTC ({@link #preferences}); a time in another
     * zone Graph names is converted, and one that cannot be read is passed on as Graph wrote it rather than dropped.
     */
    static String instant(JsonNode time) {
        String dateTime = GraphValues.text(time, "dateTime");
        if (dateTime == null) {
            return null;
        }
        String zoneName = GraphValues.text(time, "timeZone");
        Optional<ZoneId> zone = zoneName == null ? Optional.of(ZoneOffset.UTC) : TimeZones.resolve(zoneName);
        try {
            return zone.map(z -> LocalDateTime.parse(dateTime).atZone(z).toInstant().toString()).orElse(dateTime);
        } catch (DateTimeParseException e) {
            return dateTime;
        }
    }

    private static DeltaPage.Item item(JsonNode item, Change.Summary summary) {
        JsonNode removal = item.get("@removed");
        boolean removed = removal != null && !removal.isNull(); // as the SDK read it: a null @removed is no removal
        return new DeltaPage.Item(GraphValues.text(item, "id"), GraphValues.text(item, "changeKey"), removed, removed ? null : summary);
    }

    private static String required(String value, String what) {
        if (value == null) {
            throw GraphJsonRequests.brokenAnswer("Microsoft Graph's answer did not name " + what);
        }
        return value;
    }

}
