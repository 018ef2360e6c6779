package io.m365connector.sync;

import com.azure.data.tables.TableClient;
import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.platform.ExpiringRecords;
import io.m365connector.platform.Lazy;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The change feed's clean-up for housekeeping: changes older than their retention go, including rows a writer numbered
 * beyond its feed's counter and died before recording (a failed run, a killed process). Those are settled first (the
 * counter moved past them, as for a disconnect: FeedWriter.settleForForget): deleted unsettled, the next writer would
 * number the same sequences again, below the cursor of a web app that read them, and that web app would never see the
 * new changes. A feed whose writer holds its lease keeps them until that writer (or the next) settles them itself.
 */
public final class ExpiredChanges implements ExpiringRecords {
    private final ChangeFeed feed;
    private final SyncStates states;
    private final ItemIndex index;
    private final Clock clock;

    ExpiredChanges(ChangeFeed feed, SyncStates states, ItemIndex index, Clock clock) {
        this.feed = Objects.requireNonNull(feed, "'feed' cannot be null.");
        this.states = Objects.requireNonNull(states, "'states' cannot be null.");
        this.index = Objects.requireNonNull(index, "'index' cannot be null.");
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
    }

    /** Over the change feed's table, the sync state's (where each feed's counter is) and the item index. */
    public static ExpiredChanges of(TableClient changes, TableClient syncState, TableClient syncItems, Clock clock) {
        return new ExpiredChanges(new ChangeFeed(changes), new SyncStates(syncState), new ItemIndex(syncItems), clock);
    }

    @Override
    public int deleteCreatedBefore(Instant cutoff) {
        Map<String, Long> counters = new HashMap<>();
        Map<String, Boolean> settled = new HashMap<>();
        Lazy<Set<String>> forgetting = Lazy.of(() -> states.markedForgetting().keySet()); // read only if a feed needs settling
        return feed.deleteCreatedBefore(cutoff, (connectionId, sequence) -> {
            long counter = counters.computeIfAbsent(connectionId, this::counter);
            if (sequence > counter && settled.putIfAbsent(connectionId, true) == null) {
                counter = settle(connectionId, !forgetting.get().contains(connectionId));
                counters.put(connectionId, counter);
            }
            return sequence <= counter;
        });
    }

    /** No feed row: no writer ever took this feed, so no row of it waits to be settled. */
    private long counter(String connectionId) {
        return states.feed(connectionId).map(SyncStates.Feed::counter).orElse(Long.MAX_VALUE);
    }

    /**
     * Moves the counter past the rows beyond it unless a writer holds the feed, recording them in the item index first (as a
     * writer would) unless the connection's state is being forgotten; the counter afterwards.
     */
    private long settle(String connectionId, boolean record) {
        try {
            if (record) {
                FeedWriter.settleUnlessHeld(states, feed, index, connectionId, clock.instant());
            } else {
                FeedWriter.settleForForget(states, feed, connectionId);
            }
        } catch (ConcurrentUpdateException busy) {
            // the feed kept changing: a writer is at work and settles them; tried again at the next run
        }
        return counter(connectionId);
    }
}
