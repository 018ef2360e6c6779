package io.m365connector.sync;

import com.microsoft.graph.models.Event;
import com.microsoft.graph.models.Message;
import com.microsoft.graph.models.OutlookItem;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.graph.users.item.UserItemRequestBuilder;
import io.m365connector.graph.GraphException;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.graph.GraphSession;
import io.m365connector.outlook.OutlookPrefer;
import io.m365connector.platform.ProblemCode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Graph's delta queries for a synced target: the inbox's message delta and the calendar view's delta
 * over a window, of {@code /me} or of a shared mailbox ({@code /users/{address}}). Pages of up to {@link #PAGE_SIZE} items, immutable ids, and no more fields than a
 * change's summary needs (Graph's calendarView delta takes no $select; its events come whole).
 */
final class DeltaReader {
    static final int PAGE_SIZE = 100;
    private static final String[] MESSAGE_FIELDS = {"id", "changeKey", "subject", "from", "receivedDateTime"};
    private static final String[] CHECK_FIELDS = {"id", "changeKey", "subject", "from", "receivedDateTime", "parentFolderId"};

    private DeltaReader() {
    }

    /** The first page of a full sync (for the calendar, of the state's window). */
    static DeltaPage first(GraphSession session, SyncTarget target, SyncState state) {
        if (target.resource() == SyncResource.INBOX) {
            var page = session.call(Safety.REPEATABLE, c -> mailbox(c, target).mailFolders().byMailFolderId("inbox").messages().delta().get(rc -> {
                rc.queryParameters.select = MESSAGE_FIELDS;
                preferences(rc.headers::add);
            }));
            return messages(page.getValue(), page.getOdataNextLink(), page.getOdataDeltaLink());
        }
        var page = session.call(Safety.REPEATABLE, c -> mailbox(c, target).calendarView().delta().get(rc -> {
            rc.queryParameters.startDateTime = state.windowStart().toString();
            rc.queryParameters.endDateTime = state.windowEnd().toString();
            preferences(rc.headers::add);
        }));
        return events(page.getValue(), page.getOdataNextLink(), page.getOdataDeltaLink());
    }

    /** The page at a next link or a delta link Graph gave earlier. */
    static DeltaPage follow(GraphSession session, SyncTarget target, String link) {
        if (target.resource() == SyncResource.INBOX) {
            var page = session.call(Safety.REPEATABLE, c -> mailbox(c, target).mailFolders().byMailFolderId("inbox").messages().delta().withUrl(link)
                    .get(rc -> preferences(rc.headers::add)));
            return messages(page.getValue(), page.getOdataNextLink(), page.getOdataDeltaLink());
        }
        var page = session.call(Safety.REPEATABLE, c -> mailbox(c, target).calendarView().delta().withUrl(link).get(rc -> preferences(rc.headers::add)));
        return events(page.getValue(), page.getOdataNextLink(), page.getOdataDeltaLink());
    }

    /**
     * A message the inbox's delta reported removed, read again: its id and summary when it is in the inbox after all,
     * else empty (deleted, or moved to another folder). With immutable ids a message moved out and back between two
     * delta calls is reported removed, and not again until it changes (reported by users, open on Microsoft's docs:
     * microsoft-graph-docs-contrib#72); a delete undone in Outlook does exactly that.
     *
     * @param inboxId the inbox folder's id ({@link #inboxId})
     */
    static Optional<DeltaPage.Item> stillInInbox(GraphSession session, SyncTarget target, String messageId, String inboxId) {
        Message m;
        try {
            m = session.call(Safety.REPEATABLE, c -> mailbox(c, target).messages().byMessageId(messageId).get(rc -> {
                rc.queryParameters.select = CHECK_FIELDS;
                rc.headers.add("Prefer", OutlookPrefer.IMMUTABLE_IDS);
            }));
        } catch (GraphException e) {
            if (e.code() == ProblemCode.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
        if (m == null || !inboxId.equals(m.getParentFolderId())) {
            return Optional.empty();
        }
        return Optional.of(messages(List.of(m), null, null).items().get(0));
    }

    /** The inbox folder's id, as messages name it in {@code parentFolderId}. */
    static String inboxId(GraphSession session, SyncTarget target) {
        return session.call(Safety.REPEATABLE, c -> mailbox(c, target).mailFolders().byMailFolderId("inbox").get(rc -> {
            rc.queryParameters.select = new String[] {"id"};
            rc.headers.add("Prefer", OutlookPrefer.IMMUTABLE_IDS);
        })).getId();
    }

    /** {@code /me}, or {@code /users/{address}} for a shared mailbox (a link Graph gave is followed as given; this only picks the builder). */
    private static UserItemRequestBuilder mailbox(GraphServiceClient client, SyncTarget target) {
        return target.isShared() ? client.users().byUserId(target.mailbox()) : client.me();
    }

    private static void preferences(BiConsumer<String, String> header) {
        header.accept("Prefer", "odata.maxpagesize=" + PAGE_SIZE);
        header.accept("Prefer", OutlookPrefer.IMMUTABLE_IDS);
        header.accept("Prefer", OutlookPrefer.timeZone("UTC"));
    }

    private static DeltaPage messages(List<Message> items, String next, String delta) {
        return new DeltaPage(items == null ? List.of() : items.stream().map(m -> item(m, new Change.Summary(m.getSubject(),
                m.getFrom() == null || m.getFrom().getEmailAddress() == null ? null : m.getFrom().getEmailAddress().getAddress(),
                m.getReceivedDateTime() == null ? null : m.getReceivedDateTime().toInstant().toString(), null, null))).toList(), next, delta);
    }

    private static DeltaPage events(List<Event> items, String next, String delta) {
        return new DeltaPage(items == null ? List.of() : items.stream().map(e -> item(e, new Change.Summary(e.getSubject(), null, null,
                e.getStart() == null ? null : e.getStart().getDateTime(), e.getEnd() == null ? null : e.getEnd().getDateTime()))).toList(),
                next, delta);
    }

    private static DeltaPage.Item item(OutlookItem item, Change.Summary summary) {
        Map<String, Object> extra = item.getAdditionalData();
        boolean removed = extra != null && extra.containsKey("@removed");
        return new DeltaPage.Item(item.getId(), item.getChangeKey(), removed, removed ? null : summary);
    }
}
