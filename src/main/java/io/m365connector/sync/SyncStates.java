package io.m365connector.sync;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.TableEntity;
import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.platform.TableAccess;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Sync state in table {@code syncstate}, PartitionKey = connection id: one row per target
 * ({@link SyncState}, RowKey = {@link SyncTarget#key()}), the shared mailboxes the web app named
 * ({@link SharedMailboxes}) and the feed row ({@code _feed}: the last sequence written and the writer's
 * lease). Writes are compare-and-swap on the ETag read: a stale writer never moves a delta link back.
 */
final class SyncStates {
    static final String FEED_ROW = "_feed";
    /** The mark of a clean-up under way (markForgetting). */
    static final String FORGET_ROW = "_forget";

    /** The feed row: the highest sequence recorded and who holds the writer's lease until when. */
    record Feed(long counter, Instant leaseUntil, String version) {
    }

    private final TableAccess table;

    SyncStates(TableClient table) {
        this.table = new TableAccess(table);
    }

    Optional<SyncState> find(String connectionId, SyncTarget target) {
        return table.find(connectionId, target.key()).map(e -> fromEntity(connectionId, target, e));
    }

    /** Saves a state read earlier (or a new one); {@link ConcurrentUpdateException} when it changed meanwhile. */
    SyncState save(SyncState state) {
        TableEntity e = toEntity(state);
        Optional<String> etag = state.version() == null ? table.insert(e) : table.replaceIfUnchanged(e, state.version());
        return state.withVersion(etag.orElseThrow(() -> new ConcurrentUpdateException(state.connectionId(),
                "The sync state of " + state.target() + " changed meanwhile.")));
    }

    /**
     * A run's save of its own state ({@code next}, made from {@code base}, what it last read or saved). The row is shared with
     * the worker that schedules a run for a notification ({@link SyncState#scheduled}): when only that mark moved meanwhile,
     * the run's state is saved over the fresh row, keeping the mark; any other change (the feed taken over, a disconnect)
     * is a conflict as before. Without this a notification during a run failed the run (concurrent_update).
     */
    SyncState saveRun(SyncState base, SyncState next) {
        try {
            return save(next);
        } catch (ConcurrentUpdateException e) {
            SyncState fresh = find(next.connectionId(), next.target()).orElseThrow(() -> e);
            if (!fresh.sameRunAs(base)) {
                throw e;
            }
            return save(next.scheduled(fresh.scheduledRunAt()).withVersion(fresh.version()));
        }
    }

    /**
     * Marks a run queued for {@code at} on the resource's state ({@code read}: the row as the caller read it, if any). A row that
     * changed meanwhile (a run saving its page, another notification's mark) is read again and marked, unless it holds a
     * mark as late already; a row gone meanwhile (a disconnect) is not made again. The run is queued already: never a second.
     */
    void markScheduled(String connectionId, SyncTarget target, Optional<SyncState> read, Instant at) {
        SyncState base = read.orElseGet(() -> SyncState.start(connectionId, target));
        for (int attempt = 1; ; attempt++) {
            try {
                save(base.scheduled(at));
                return;
            } catch (ConcurrentUpdateException e) {
                Optional<SyncState> fresh = find(connectionId, target);
                if (fresh.isEmpty() || (fresh.get().scheduledRunAt() != null && !fresh.get().scheduledRunAt().isBefore(at))) {
                    return;
                }
                if (attempt >= 3) {
                    throw e;
                }
                base = fresh.get();
            }
        }
    }

    Optional<Feed> feed(String connectionId) {
        return table.find(connectionId, FEED_ROW).map(e -> new Feed(((Number) e.getProperty("Counter")).longValue(),
                instant(e, "LeaseUntil"), e.getETag()));
    }

    /** Writes the feed row if it is still at {@code version} (null: only if there is none); the new version, or empty. */
    Optional<String> saveFeed(String connectionId, long counter, Instant leaseUntil, String version) {
        TableEntity e = new TableEntity(connectionId, FEED_ROW).addProperty("Counter", counter)
                .addProperty("LeaseUntil", leaseUntil.atOffset(ZoneOffset.UTC));
        return version == null ? table.insert(e) : table.replaceIfUnchanged(e, version);
    }

    /**
     * The subscription a resource holds (row {@code sub.<resource>}): Graph's id, expiry, why there is none when there is
     * none, and the notification URL it was made for (null on rows from before it was kept: taken to be the current one).
     */
    record SubscriptionState(String subscriptionId, Instant expiresAt, String problem, Instant checkedAt, String notificationUrl) {
    }

    Optional<SubscriptionState> subscription(String connectionId, SyncResource resource) {
        return table.find(connectionId, "sub." + resource.id()).map(e -> new SubscriptionState((String) e.getProperty("SubscriptionId"),
                instant(e, "ExpiresAt"), (String) e.getProperty("Problem"), instant(e, "CheckedAt"), (String) e.getProperty("NotificationUrl")));
    }

    void saveSubscription(String connectionId, SyncResource resource, SubscriptionState state) {
        TableEntity e = new TableEntity(connectionId, "sub." + resource.id());
        put(e, "SubscriptionId", state.subscriptionId());
        put(e, "ExpiresAt", state.expiresAt());
        put(e, "Problem", state.problem());
        put(e, "CheckedAt", state.checkedAt());
        put(e, "NotificationUrl", state.notificationUrl());
        table.upsert(e);
    }

    /**
     * Marks the connection's sync state as being forgotten (a disconnect, before its clean-up): {@link #clear} removes the
     * mark last, so a mark left means a clean-up that failed or was cut short (housekeeping finishes it).
     */
    void markForgetting(String connectionId, Instant at) {
        table.upsert(new TableEntity(connectionId, FORGET_ROW).addProperty("MarkedAt", at.atOffset(ZoneOffset.UTC)));
    }

    /** The connections marked by {@link #markForgetting} and not cleared since, with when they were marked. */
    Map<String, Instant> markedForgetting() {
        Map<String, Instant> marked = new LinkedHashMap<>();
        table.query("RowKey eq " + TableAccess.literal(FORGET_ROW), Integer.MAX_VALUE)
                .forEach(e -> marked.put(e.getPartitionKey(), instant(e, "MarkedAt")));
        return marked;
    }

    /** Drops a mark whose disconnect did not happen (the DELETE failed before the status was saved). */
    void unmarkForgetting(String connectionId) {
        table.delete(connectionId, FORGET_ROW);
    }

    /**
     * Every row of a connection but the feed row (disconnect), the forget mark among them. The feed's counter stays: a
     * connection connected again after its changes were removed numbers on after them, so a web app's stored cursor does
     * not hide the new changes. It goes when the connection is removed for good ({@link #deleteFeed}).
     */
    void clear(String connectionId) {
        table.deleteMatching("PartitionKey eq " + TableAccess.literal(connectionId) + " and RowKey ne " + TableAccess.literal(FEED_ROW));
    }

    /** The feed's counter too: for a connection removed for good (its id is never used again). */
    void deleteFeed(String connectionId) {
        table.delete(connectionId, FEED_ROW);
    }

    private static TableEntity toEntity(SyncState s) {
        TableEntity e = new TableEntity(s.connectionId(), s.target().key())
                .addProperty("Generation", s.generation())
                .addProperty("FullSync", s.fullSync());
        put(e, "Mailbox", s.target().mailbox());
        put(e, "DeltaLink", s.deltaLink());
        put(e, "NextLink", s.nextLink());
        put(e, "LastError", s.lastError());
        put(e, "WindowStart", s.windowStart());
        put(e, "WindowEnd", s.windowEnd());
        put(e, "ScheduledRunAt", s.scheduledRunAt());
        put(e, "RunStartedAt", s.runStartedAt());
        put(e, "LastRunAt", s.lastRunAt());
        put(e, "LastSuccessAt", s.lastSuccessAt());
        return e;
    }

    private static void put(TableEntity e, String name, Object value) {
        if (value instanceof Instant i) {
            e.addProperty(name, i.atOffset(ZoneOffset.UTC));
        } else if (value != null) {
            e.addProperty(name, value);
        }
    }

    private static SyncState fromEntity(String connectionId, SyncTarget target, TableEntity e) {
        return new SyncState(connectionId, target, (String) e.getProperty("DeltaLink"), (String) e.getProperty("NextLink"),
                ((Number) e.getProperty("Generation")).longValue(), Boolean.TRUE.equals(e.getProperty("FullSync")),
                instant(e, "WindowStart"), instant(e, "WindowEnd"), instant(e, "ScheduledRunAt"), instant(e, "RunStartedAt"), instant(e, "LastRunAt"), instant(e, "LastSuccessAt"),
                (String) e.getProperty("LastError"), e.getETag());
    }

    private static Instant instant(TableEntity e, String name) {
        Object value = e.getProperty(name);
        return value instanceof OffsetDateTime t ? t.toInstant() : null;
    }
}
