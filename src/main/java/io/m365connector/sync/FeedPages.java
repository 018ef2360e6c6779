package io.m365connector.sync;

import io.m365connector.platform.RequestValidationException;
import java.util.List;

/**
 * Pages of a connection's change feed for its readers: after their cursor, ending before a hole, saying gap when
 * housekeeping removed changes they had not read, and refusing a cursor this feed never handed out.
 */
final class FeedPages {
    private final SyncStores stores;

    FeedPages(SyncStores stores) {
        this.stores = stores;
    }

    ChangePage page(String connectionId, ChangesQuery query) {
        List<Change> found = stores.feed().after(connectionId, query.after(), query.limit() + 1);
        if (found.isEmpty() && beyondTheEnd(connectionId, query.after())) {
            throw new RequestValidationException(List.of(new RequestValidationException.FieldError("cursor",
                    "Beyond the end of this connection's change feed: the cursor was not handed out by it (another connection's, "
                            + "or made up). Read from the start of what the feed holds (no cursor) and re-read the items to catch up.")));
        }
        // Rows expire by the time their writer stamped; writers' clocks may differ a little, so a later row can go first: a
        // page ends before such a hole, and the next one, starting after it, says gap
        int end = 1;
        while (end < Math.min(found.size(), query.limit()) && found.get(end).sequence() == found.get(end - 1).sequence() + 1) {
            end++;
        }
        boolean more = found.size() > end;
        List<Change> page = found.subList(0, Math.min(end, found.size()));
        long last = page.isEmpty() ? query.after() : page.get(page.size() - 1).sequence();
        // A feed's sequences have no holes (each writer numbers after the highest row there is), so a first change beyond
        // the one after the cursor means housekeeping removed changes this reader had not read yet.
        boolean gap = !page.isEmpty() && page.get(0).sequence() > query.after() + 1;
        return new ChangePage(connectionId, List.copyOf(page), ChangesQuery.cursor(last), more, gap);
    }

    /**
     * Whether no change up to {@code after} was ever numbered in this feed, when none lies beyond it. A cursor a reader was
     * given is at most the highest row it read: the feed's counter (kept over disconnects, never lowered) has reached it, or
     * that row is still there beyond the counter (a writer between checkpoints). Accepting a higher one would hide every
     * change until the feed's numbering reached it, and announce no gap: a new connection's feed starts at s1.
     */
    private boolean beyondTheEnd(String connectionId, long after) {
        if (after == 0 || stores.states().feed(connectionId).map(SyncStates.Feed::counter).orElse(0L) >= after) {
            return false;
        }
        List<Change> last = stores.feed().after(connectionId, after - 1, 1);
        return last.isEmpty() || last.get(0).sequence() != after;
    }
}
