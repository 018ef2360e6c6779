package io.m365connector.sync;

import io.m365connector.graph.GraphSession;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a message that a mail folder's delta reported removed once more, before the feed says it was deleted: a message
 * moved out and back between two delta calls is reported removed though it is in the folder, and not again until it
 * changes (reported by users, open on Microsoft's docs: microsoft-graph-docs-contrib#72); a delete undone in Outlook does
 * exactly that, and so does a bulk delete undone. Up to {@link #PER_PAGE} removals on a page are read one by one
 * ({@link DeltaReader#stillInFolder}; the folder's id is read once per run, at the first). More would be as many requests
 * against the mailbox's 10,000 per 10 minutes: the folder's messages are listed instead, 500 per request, after the delta
 * page was read (a listing kept for later pages would show a message deleted since as present, and its deletion would never
 * be reported), up to {@link #MOST_LISTED_PAGES} pages ({@link DeltaReader#folderItems}); a folder larger than that takes
 * such a page's removals as reported. The run's hold on the feed is renewed before each listing request. Calendars are not
 * checked: an event that leaves the window or is deleted does not come back this way.
 */
final class RemovalCheck {
    static final int PER_PAGE = 20;
    /** Pages of a folder's listing one check reads at most (20,000 messages: 40 requests, the feed's lease renewed before each). */
    static final int MOST_LISTED_PAGES = 40;

    private final GraphSession session;
    private final SyncTarget target;
    /** Renews the run's hold on the feed before the folder's listing, which may take a while. */
    private final Runnable renewLease;
    private String folderId;
    /** The folder's messages, listed for the current delta page when it has more removals than are read one by one; empty when too many. */
    private Optional<Map<String, DeltaPage.Item>> listed;

    RemovalCheck(GraphSession session, SyncTarget target, Runnable renewLease) {
        this.session = session;
        this.target = target;
        this.renewLease = renewLease;
    }

    /** A new delta page: a listing made for the page before is not used for it. */
    void nextPage() {
        listed = null;
    }

    /** The item, as it is now, when it is in the synced folder after all; {@code oneByOne} false for a page of many removals. */
    Optional<DeltaPage.Item> present(String itemId, boolean oneByOne) {
        if (!target.resource().isMailFolder()) {
            return Optional.empty();
        }
        if (!oneByOne) {
            if (listed == null) {
                listed = DeltaReader.folderItems(session, target, MOST_LISTED_PAGES, renewLease);
            }
            return listed.map(items -> items.get(itemId));
        }
        if (folderId == null) {
            folderId = DeltaReader.folderId(session, target);
        }
        return DeltaReader.stillInFolder(session, target, itemId, folderId);
    }
}
