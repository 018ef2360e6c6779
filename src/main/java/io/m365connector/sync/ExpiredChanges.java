package io.m365connector.sync;

import com.azure.data.tables.TableClient;
import io.m365connector.platform.ExpiringRecords;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The change feed's clean-up for housekeeping: changes older than their retention go, except rows a writer numbered
 * beyond its feed's counter and died before recording (a failed run, a killed process). Those stay until a writer
 * settles them (FeedWriter: indexes them and moves the counter past), however long the connection does not sync (a
 * user who must connect again, a feature turned off): deleted unsettled, the next writer would number the same
 * sequences again, below the cursor of a web app that read them, and that web app would never see the new changes.
 */
public final class ExpiredChanges implements ExpiringRecords {
    private final ChangeFeed feed;
    private final SyncStates states;

    ExpiredChanges(ChangeFeed feed, SyncStates states) {
        this.feed = Objects.requireNonNull(feed, "'feed' cannot be null.");
        this.states = Objects.requireNonNull(states, "'states' cannot be null.");
    }

    /** Over the change feed's table and the sync state's (where each feed's counter is). */
    public static ExpiredChanges of(TableClient changes, TableClient syncState) {
        return new ExpiredChanges(new ChangeFeed(changes), new SyncStates(syncState));
    }

    @Override
    public int deleteCreatedBefore(Instant cutoff) {
        Map<String, Long> counters = new HashMap<>();
        return feed.deleteCreatedBefore(cutoff, (connectionId, sequence) -> sequence <= counters.computeIfAbsent(connectionId,
                // no feed row: no writer ever took this feed, so no row of it waits to be settled
                id -> states.feed(id).map(SyncStates.Feed::counter).orElse(Long.MAX_VALUE)));
    }
}
