package io.m365connector.sync;

import io.m365connector.graph.GraphException;
import io.m365connector.graph.GraphSession;
import io.m365connector.platform.TableAccess;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One run of a resource's delta for a connection, by the holder of its feed lease. Order of writes, so
 * that a crash anywhere replays harmlessly: the page's changes are appended to the feed (a change
 * appended before is recognised by its id), then the item index records them, then the feed counter,
 * and only then the link to the next page or the new delta link. Rows a failed or dead run appended without
 * indexing them are indexed by the next writer of the feed before anything else ({@link FeedWriter}). When Graph has lost the sync state
 * (410), the run starts a full sync of a new generation: items whose changeKey the index already has
 * are no change, and at its end every indexed item it did not see is reported deleted.
 */
final class DeltaRun {
    /** A run stops after this many pages and asks for another run (the queue), so no run outlasts its lease. */
    static final int MAX_PAGES = 50;

    /** What a run did: the changes it appended, and whether the resource has more pages waiting. */
    record Outcome(List<Change> appended, boolean more) {
    }

    private final SyncStates states;
    private final ItemIndex index;
    private final Clock clock;
    /** What this run appended to the feed so far: also what a run that failed later appended. */
    private final List<Change> appended = new ArrayList<>();

    DeltaRun(SyncStates states, ItemIndex index, Clock clock) {
        this.states = states;
        this.index = index;
        this.clock = clock;
    }

    Outcome run(GraphSession session, FeedWriter writer, SyncTarget target) {
        String connectionId = session.connectionId();
        SyncState state = states.find(connectionId, target).orElseGet(() -> SyncState.start(connectionId, target));
        state = states.saveRun(state, state.started(clock.instant())); // requests made before this moment are covered by it
        if (target.resource() == SyncResource.CALENDAR) {
            state = placeWindow(state);
        }
        Page page = read(session, target, state);
        state = page.state;
        Map<String, ItemIndex.Indexed> known = state.fullSync() ? index.all(connectionId, target) : null;
        RemovalCheck removals = new RemovalCheck(session, target, writer::renew);
        for (int pages = 1; ; pages++) {
            apply(writer, state, page.delta, known, removals);
            writer.checkpoint();
            if (page.delta.nextLink() != null) {
                state = states.saveRun(state, state.progress(page.delta.nextLink()));
                if (pages >= MAX_PAGES) {
                    return new Outcome(appended(), true);
                }
                page = read(session, target, state);
                state = page.state;
                continue;
            }
            // Checked before the sweep: a full sync's sweep takes every item the pages did not show for deleted.
            String deltaLink = Objects.requireNonNull(page.delta.deltaLink(), "Graph's last page carries a delta link");
            if (state.fullSync()) {
                sweepUnseen(writer, state);
            }
            states.saveRun(state, state.completed(deltaLink, clock.instant()));
            return new Outcome(appended(), false);
        }
    }

    private record Page(DeltaPage delta, SyncState state) {
    }

    /** The calendar's first window, or a full sync over a window moved forward when the old one is due to roll. */
    private SyncState placeWindow(SyncState state) {
        Instant now = clock.instant();
        if (state.windowStart() == null) {
            return states.saveRun(state, state.window(CalendarWindow.start(now), CalendarWindow.end(now)));
        }
        return CalendarWindow.due(state.windowStart(), now) ? states.saveRun(state, state.restart(CalendarWindow.start(now), CalendarWindow.end(now)))
                : state;
    }

    /** The next page from the state's link; when Graph refuses the link (the sync state lost), the first page of a new full sync. */
    private Page read(GraphSession session, SyncTarget target, SyncState state) {
        String link = state.resumeLink();
        if (link != null) {
            try {
                return new Page(DeltaReader.follow(session, target, link), state);
            } catch (GraphException e) {
                if (!e.storedLinkRefused()) {
                    throw e;
                }
                Instant now = clock.instant();
                SyncState restarted = target.resource() == SyncResource.CALENDAR
                        ? state.restart(CalendarWindow.start(now), CalendarWindow.end(now)) : state.restart(null, null);
                state = states.saveRun(state, restarted);
            }
        }
        return new Page(DeltaReader.first(session, target, state), state);
    }

    /** The changes this run appended to the feed so far, in feed order. */
    List<Change> appended() {
        return List.copyOf(appended);
    }

    /** Appends the page's changes, then records them in the item index. */
    private void apply(FeedWriter writer, SyncState state, DeltaPage page, Map<String, ItemIndex.Indexed> known, RemovalCheck check) {
        check.nextPage();
        Map<String, DeltaPage.Item> items = new LinkedHashMap<>();
        page.items().forEach(i -> items.put(i.id(), i)); // a page naming an item twice: its last word counts
        Map<String, Optional<ItemIndex.Indexed>> indexedItems = new LinkedHashMap<>();
        items.keySet().forEach(id -> indexedItems.put(id, known != null ? Optional.ofNullable(known.get(id))
                : index.find(state.connectionId(), state.target(), id)));
        List<Change> changes = new ArrayList<>();
        List<ItemIndex.Indexed> upserts = new ArrayList<>();
        List<String> removals = new ArrayList<>();
        // only removals of items the feed reported count: those of items it never saw are dropped unread
        boolean oneByOne = items.values().stream().filter(i -> i.removed() && indexedItems.get(i.id()).isPresent()).count()
                <= RemovalCheck.PER_PAGE;
        for (DeltaPage.Item reported : items.values()) {
            Optional<ItemIndex.Indexed> indexed = indexedItems.get(reported.id());
            if (reported.removed() && indexed.isEmpty()) {
                continue;
            }
            DeltaPage.Item item = reported.removed() ? check.present(reported.id(), oneByOne).orElse(reported) : reported;
            if (item.removed()) {
                changes.add(Change.of(state.target(), Change.Type.DELETED, item.id(), null, null));
                removals.add(item.id());
                continue;
            }
            Change.Type type = indexed.isEmpty() ? Change.Type.CREATED
                    : Objects.equals(indexed.get().changeKey(), item.changeKey()) ? null : Change.Type.UPDATED;
            if (type != null) {
                changes.add(Change.of(state.target(), type, item.id(), item.changeKey(), item.summary()));
            }
            if (type != null || indexed.get().generation() < state.generation()) {
                upserts.add(new ItemIndex.Indexed(item.id(), item.changeKey(), state.generation()));
            }
        }
        appended.addAll(writer.append(changes));
        index.write(state.connectionId(), state.target(), upserts, removals);
        if (known != null) {
            upserts.forEach(i -> known.put(i.itemId(), i));
            removals.forEach(known::remove);
        }
    }

    /** At the end of a full sync: the indexed items it did not see were deleted while Graph had lost the sync state. */
    private void sweepUnseen(FeedWriter writer, SyncState state) {
        while (true) {
            List<ItemIndex.Indexed> unseen = index.notSeenIn(state.connectionId(), state.target(), state.generation(), TableAccess.TRANSACTION_LIMIT);
            if (unseen.isEmpty()) {
                return;
            }
            List<Change> deletions = unseen.stream().map(i -> Change.of(state.target(), Change.Type.DELETED, i.itemId(), null, null)).toList();
            appended.addAll(writer.append(deletions));
            index.write(state.connectionId(), state.target(), List.of(), unseen.stream().map(ItemIndex.Indexed::itemId).toList());
            writer.checkpoint();
        }
    }
}
