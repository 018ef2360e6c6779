package io.m365connector.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.policy.HttpPipelineSyncPolicy;
import com.azure.data.tables.TableClientBuilder;
import com.azure.data.tables.TableServiceClient;
import com.azure.data.tables.TableServiceClientBuilder;
import com.azure.data.tables.models.TableEntity;
import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.connection.Connection;
import io.m365connector.platform.Json;
import io.m365connector.platform.RequestValidationException;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The change feed and its writer over Azurite: one writer at a time, numbering after every row, nothing appended twice. */
class ChangeFeedTest {
    private static final TableServiceClient TABLES = new TableServiceClientBuilder().connectionString(Azurite.shared().connectionString())
            .buildClient();
    private final String prefix = "f" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    private final SyncStates states = new SyncStates(TABLES.getTableClient(prefix + "syncstate"));
    private final ChangeFeed feed = new ChangeFeed(TABLES.getTableClient(prefix + "changes"));
    private final ItemIndex index = itemIndex();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
    private final String connectionId = Connection.newId();

    /** Its table made first, as a run has made it before it appends anything (it reads the index; TableAccess creates a missing table). */
    private ItemIndex itemIndex() {
        TABLES.createTableIfNotExists(prefix + "syncitems");
        return new ItemIndex(TABLES.getTableClient(prefix + "syncitems"));
    }

    private static Change change(String item, String version) {
        return Change.of(SyncResource.INBOX, Change.Type.CREATED, item, version, Change.Summary.message("s " + item, null, null));
    }

    @Test
    void whenAWriterDiesAfterAppendingThenTheNextSkipsWhatIsThereAndNumbersAfterIt() {
        FeedWriter first = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow();
        first.append(List.of(change("a", "1"), change("b", "1")));
        // dies here: no checkpoint, the lease runs out
        clock.advance(Duration.ofMinutes(6));

        FeedWriter second = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow();
        List<Change> appended = second.append(List.of(change("a", "1"), change("b", "1"), change("c", "1")));
        second.checkpoint();
        second.close();

        assertEquals(List.of(3L), appended.stream().map(Change::sequence).toList(), "a and b were there already; c comes after them");
        assertEquals(List.of("a", "b", "c"), feed.after(connectionId, 0, 10).stream().map(Change::itemId).toList());
    }

    /**
     * A hundred changes at once, each with the longest fields a summary keeps, fit one append (4 MiB, 64 KiB a string);
     * a field is cut at a code point, not between the halves of a surrogate pair.
     */
    @Test
    void whenSummariesHaveLongFieldsThenAHundredOfThemAreAppendedCutToTheirLimit() {
        String subject = "a".repeat(Change.Summary.MAX_FIELD_CHARS - 2) + "\uD83D\uDE00".repeat(5000);
        String from = "\u00e9".repeat(40_000) + "@example.com";
        List<Change> hundred = IntStream.range(0, 100).mapToObj(i -> Change.of(SyncResource.INBOX, Change.Type.CREATED,
                "m" + i, "1", Change.Summary.message(subject, from, "x".repeat(70_000)))).toList();
        FeedWriter writer = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow();
        writer.append(hundred);
        writer.checkpoint();
        writer.close();

        List<Change> read = feed.after(connectionId, 0, 200);
        assertEquals(100, read.size());
        Change.Summary summary = read.get(99).summary();
        assertEquals("a".repeat(Change.Summary.MAX_FIELD_CHARS - 2) + "\uD83D\uDE00\u2026", summary.subject());
        assertEquals("\u00e9".repeat(Change.Summary.MAX_FIELD_CHARS - 1) + "\u2026", summary.from());
        assertEquals(Change.Summary.MAX_FIELD_CHARS, summary.receivedAt().length());
        assertEquals(summary, Change.Summary.message(summary.subject(), summary.from(), summary.receivedAt()), "cutting twice changes nothing");
    }

    /** A message's To addresses: kept in order, as many as fit one text's 1,000 characters, in a column of their own. */
    @Test
    void whenAMessageHasManyRecipientsThenItsChangeKeepsTheFirstThatFitAndReadsThemBack() {
        List<String> to = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            to.add("person" + i + "@fabrikam.com"); // 23-25 characters each
        }
        try (FeedWriter writer = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow()) {
            writer.append(List.of(Change.of(SyncResource.SENT_ITEMS, Change.Type.CREATED, "s1", "1", Change.Summary.message("Offer",
                    connectionId + "@contoso.com", "2027-01-04T09:00:00Z", to))));
            writer.checkpoint();
        }

        List<String> read = feed.after(connectionId, 0, 10).get(0).summary().to();
        assertEquals(to.subList(0, read.size()), read, "the first, in order");
        assertTrue(String.join("", read).length() <= Change.Summary.MAX_FIELD_CHARS && read.size() > 30, read.size() + " kept");
        assertTrue(feed.after(connectionId, 0, 10).get(0).summary().from().endsWith("@contoso.com"));
    }

    /** A row written before summaries were cut (a subject of 20,000 characters fitted its 64 KiB) is read back cut. */
    @Test
    void whenARowWrittenBeforeTheCutHasALongSubjectThenItIsReadCut() {
        String subject = "x".repeat(20_000);
        TABLES.createTableIfNotExists(prefix + "changes");
        TABLES.getTableClient(prefix + "changes").createEntity(new TableEntity(connectionId, ChangeFeed.key(1))
                .addProperty("ChangeId", "chg_1").addProperty("Resource", "inbox").addProperty("Type", "CREATED").addProperty("ItemId", "m1")
                .addProperty("ChangeKey", "1").addProperty("AppendedAt", clock.instant().atOffset(ZoneOffset.UTC))
                .addProperty("Summary", "{\"subject\":\"" + subject + "\",\"from\":\"a@fabrikam.com\"}"));

        Change.Summary read = feed.after(connectionId, 0, 10).get(0).summary();
        assertEquals("x".repeat(Change.Summary.MAX_FIELD_CHARS - 1) + "\u2026", read.subject());
        assertEquals("a@fabrikam.com", read.from());
    }

    private ChangePage read(long after) {
        return new FeedPages(new SyncStores(states, null, index, feed, null)).page(connectionId, new ChangesQuery(after, 100));
    }

    private void assertRefused(long after) {
        RequestValidationException e = assertThrows(RequestValidationException.class, () -> read(after), "cursor s" + after);
        assertEquals("cursor", e.errors().get(0).field());
        assertTrue(e.errors().get(0).message().contains("not handed out by it"), e.errors().get(0).message());
    }

    /**
     * A writer that died after appending left rows beyond the counter; the connection then stopped syncing (the user must
     * connect again). Housekeeping settles them before it deletes them after their 8 days: deleted unsettled, the next
     * writer would number s1-s3 again, below the cursor of a web app that read them, which would then skip them.
     */
    @Test
    void whenUnsettledRowsExpireThenHousekeepingSettlesThemBeforeItDeletesThemAndTheNumberingNeverGoesBack() {
        FeedWriter dead = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow();
        dead.append(List.of(change("a", "1"), change("b", "1"), change("c", "1"))); // then the process died: no checkpoint
        assertEquals("s3", read(0).nextCursor(), "a web app read them all");
        ExpiredChanges housekeeping = new ExpiredChanges(feed, states, index, clock);

        clock.advance(ChangeFeed.RETENTION.plusDays(5));
        assertEquals(3, housekeeping.deleteCreatedBefore(clock.instant().minus(ChangeFeed.RETENTION)), "settled, then deleted");
        assertEquals("s3", read(3).nextCursor(), "the web app's cursor stays good");
        SyncTarget inbox = SyncTarget.own(SyncResource.INBOX);
        assertEquals(List.of("1", "1", "1"), List.of("a", "b", "c").stream().map(item -> index.find(connectionId, inbox, item).orElseThrow()
                .changeKey()).toList(), "recorded as a writer's acquire would: a run reading the page again reports nothing twice");

        FeedWriter next = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow(); // reconnected
        List<Change> appended = next.append(List.of(change("d", "1")));
        next.checkpoint();
        next.close();
        assertEquals(List.of(4L), appended.stream().map(Change::sequence).toList(), "numbered after what the web app read");
        assertEquals(List.of(4L), read(3).changes().stream().map(Change::sequence).toList());
    }

    /** A connection being forgotten (its disconnect's clean-up cut short) gets no index rows back from housekeeping. */
    @Test
    void whenUnsettledRowsOfAConnectionBeingForgottenExpireThenHousekeepingSettlesThemWithoutIndexingThem() {
        FeedWriter dead = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow();
        dead.append(List.of(change("a", "1")));
        states.markForgetting(connectionId, clock.instant());

        clock.advance(ChangeFeed.RETENTION.plusDays(1));
        assertEquals(1, new ExpiredChanges(feed, states, index, clock).deleteCreatedBefore(clock.instant().minus(ChangeFeed.RETENTION)));
        assertTrue(index.find(connectionId, SyncTarget.own(SyncResource.INBOX), "a").isEmpty(), "the index is being cleared");
        assertEquals("s1", read(1).nextCursor(), "settled all the same");
    }

    /**
     * A writer that stalled past its lease (by its own clock, less a margin for another instance's clock) may have been
     * replaced by one that read its page later: its append is refused, or its older page would be the last word on its
     * items. A checkpoint renews the lease.
     */
    @Test
    void whenAWriterAppendsAfterItsLeaseRanOutThenTheAppendIsRefusedAndTheNextWritersRowsStayTheLast() {
        FeedWriter stalled = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow();
        stalled.append(List.of(change("a", "1")));
        stalled.checkpoint();
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        FeedWriter next = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow();
        next.append(List.of(change("b", "1")));
        next.checkpoint();

        assertThrows(ConcurrentUpdateException.class, () -> stalled.append(List.of(change("y", "1"))));
        assertEquals(List.of("a", "b"), feed.after(connectionId, 0, 10).stream().map(Change::itemId).toList());

        FeedWriter onTime = FeedWriter.acquire(states, feed, index, "con_" + "e".repeat(32), clock, Duration.ofMinutes(5)).orElseThrow();
        clock.advance(Duration.ofMinutes(4).plusSeconds(31)); // 29 s of the lease left: within the margin
        assertThrows(ConcurrentUpdateException.class, () -> onTime.append(List.of(change("z", "1"))));
    }

    @Test
    void whenAWriterCheckpointsThenItsLeaseIsRenewedAndItAppendsLater() {
        FeedWriter writer = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow();
        clock.advance(Duration.ofMinutes(4));
        writer.renew();
        clock.advance(Duration.ofMinutes(4));
        assertEquals(1, writer.append(List.of(change("a", "1"))).size(), "renewed 4 minutes in: 5 more");
    }

    /** A writer that holds the feed settles its rows itself: housekeeping leaves them to it, whatever their age. */
    @Test
    void whenAWriterHoldsTheFeedThenHousekeepingKeepsTheRowsBeyondItsCounter() {
        FeedWriter slow = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofDays(10)).orElseThrow();
        slow.append(List.of(change("a", "1")));
        ExpiredChanges housekeeping = new ExpiredChanges(feed, states, index, clock);

        clock.advance(ChangeFeed.RETENTION.plusDays(1));
        assertEquals(0, housekeeping.deleteCreatedBefore(clock.instant().minus(ChangeFeed.RETENTION)));
        assertEquals(List.of(1L), feed.after(connectionId, 0, 10).stream().map(Change::sequence).toList());
    }

    /**
     * A writer takes the feed while housekeeping settles it (between housekeeping's read of the feed row and its save), and
     * appends: housekeeping's save loses on the row's version, and its next attempt sees the lease and leaves the writer's
     * rows to it. Checked only at the first attempt, the next would move the counter past the writer's new row under its
     * lease, and the writer could not record its run.
     */
    @Test
    void whenAWriterTakesTheFeedWhileHousekeepingSettlesItThenHousekeepingLeavesTheWritersRowsToIt() {
        FeedWriter dead = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow();
        dead.append(List.of(change("a", "1"), change("b", "1"))); // then the process died: no checkpoint
        clock.advance(ChangeFeed.RETENTION.plusDays(1));
        AtomicReference<FeedWriter> writer = new AtomicReference<>();
        AtomicReference<List<Change>> appended = new AtomicReference<>();
        SyncStates racing = new SyncStates(new TableClientBuilder().connectionString(Azurite.shared().connectionString())
                .tableName(prefix + "syncstate").addPolicy(onFirstWrite(() -> {
                    writer.set(FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow());
                    appended.set(writer.get().append(List.of(change("c", "1"))));
                })).buildClient());

        int deleted = new ExpiredChanges(feed, racing, index, clock).deleteCreatedBefore(clock.instant().minus(ChangeFeed.RETENTION));

        assertTrue(writer.get() != null, "a writer took the feed just before housekeeping's save");
        assertEquals(List.of(3L), appended.get().stream().map(Change::sequence).toList(), "numbered after the dead writer's rows");
        writer.get().checkpoint(); // fails if housekeeping moved the counter under it
        writer.get().close();
        assertEquals(2, deleted, "the dead writer's rows, settled by the writer when it took the feed, were old enough to go");
        assertEquals(List.of(3L), feed.after(connectionId, 0, 10).stream().map(Change::sequence).toList(), "the writer's row stays");
        assertEquals("s3", read(0).nextCursor());
    }

    /** Housekeeping holds the feed while it records a dead run's rows: a writer cannot take it in between and lose its entries. */
    @Test
    void whenAWriterTriesToTakeTheFeedWhileHousekeepingRecordsADeadRunsRowsThenItWaits() {
        FeedWriter dead = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow();
        dead.append(List.of(change("a", "1"))); // then the process died: no checkpoint
        clock.advance(ChangeFeed.RETENTION.plusDays(1));
        AtomicReference<Optional<FeedWriter>> during = new AtomicReference<>();
        ItemIndex recording = new ItemIndex(new TableClientBuilder().connectionString(Azurite.shared().connectionString())
                .tableName(prefix + "syncitems").addPolicy(onFirstWrite(() ->
                        during.set(FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5))))).buildClient());

        assertEquals(1, new ExpiredChanges(feed, states, recording, clock).deleteCreatedBefore(clock.instant().minus(ChangeFeed.RETENTION)));

        assertTrue(during.get() != null && during.get().isEmpty(), "housekeeping held the feed while it recorded");
        assertTrue(FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).isPresent(), "and let it go after");
    }

    /** Runs {@code action} once, just before the first request that is not a read leaves. */
    private static HttpPipelineSyncPolicy onFirstWrite(Runnable action) {
        AtomicBoolean done = new AtomicBoolean();
        return new HttpPipelineSyncPolicy() {
            @Override
            protected void beforeSendingRequest(HttpPipelineCallContext context) {
                if (context.getHttpRequest().getHttpMethod() != HttpMethod.GET && done.compareAndSet(false, true)) {
                    action.run();
                }
            }
        };
    }

    /** The summary as versions before isAllDay read it, strictly (Json.MAPPER fails on a field it does not know). */
    private record SummaryBeforeAllDay(String subject, String from, String receivedAt, String start, String end) {
    }

    /** During a rolling deploy, or after a rollback, a version without isAllDay reads the rows this one writes. */
    @Test
    void whenAnAllDayEventIsInTheFeedThenItsRowStaysReadableByTheVersionBeforeAndReadsBackWithTheFlag() {
        Change allDay = Change.of(SyncTarget.own(SyncResource.CALENDAR), Change.Type.CREATED, "ev1", "1",
                Change.Summary.event("offsite", "2027-03-02T00:00:00Z", "2027-03-03T00:00:00Z", true));
        try (FeedWriter writer = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow()) {
            writer.append(List.of(allDay));
            writer.checkpoint();
        }

        String stored = (String) TABLES.getTableClient(prefix + "changes").getEntity(connectionId, ChangeFeed.key(1)).getProperty("Summary");
        SummaryBeforeAllDay before = Json.read(stored, SummaryBeforeAllDay.class);
        assertEquals("2027-03-02T00:00:00Z", before.start());
        assertEquals(true, feed.after(connectionId, 0, 10).get(0).summary().isAllDay());
        assertEquals("offsite", Json.read("{\"subject\":\"offsite\",\"fieldOfALaterVersion\":1}", Change.Summary.class).subject(),
                "and this version reads what a later one adds");
    }

    /** A web app that kept a cursor of an earlier connection (or of another) would see nothing until the new feed reached it. */
    @Test
    void whenACursorIsBeyondEveryChangeTheFeedNumberedThenItIsRefusedAndTheFeedsOwnCursorsAreNot() {
        assertRefused(1832); // a new connection's feed: nothing numbered yet
        assertEquals(0, read(0).changes().size());

        FeedWriter writer = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow();
        writer.append(List.of(change("a", "1"), change("b", "1"), change("c", "1")));
        // between checkpoints: the counter is 0, the rows are there, and a reader may have read them all
        assertEquals("s3", read(3).nextCursor());
        assertRefused(4);
        writer.checkpoint();
        writer.close();

        assertEquals("s3", read(3).nextCursor(), "caught up: an empty page");
        assertEquals(List.of(3L), read(2).changes().stream().map(Change::sequence).toList());
        assertRefused(4);
        assertRefused(1832);

        clock.advance(ChangeFeed.RETENTION.plusDays(1));
        new ExpiredChanges(feed, states, index, clock).deleteCreatedBefore(clock.instant().minus(ChangeFeed.RETENTION)); // housekeeping: the rows are gone, the counter stays
        assertEquals(0, feed.after(connectionId, 0, 10).size());
        assertEquals("s3", read(3).nextCursor(), "a cursor the feed handed out stays good after its changes expired");
        assertRefused(4);
    }

    @Test
    void whenAnItemIsDeletedComesBackAndIsDeletedAgainWithinOneRunThenEachChangeIsInTheFeed() {
        Change deleted = Change.of(SyncResource.INBOX, Change.Type.DELETED, "x", null, null);
        try (FeedWriter writer = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow()) {
            writer.append(List.of(deleted));
            writer.append(List.of(change("x", "1")));
            writer.append(List.of(deleted)); // SYNC.md: an item that comes back brings the same created or deleted id again
            writer.append(List.of(deleted)); // a replayed page: that one is there already
            writer.checkpoint();
        }

        assertEquals(List.of("deleted", "created", "deleted"), feed.after(connectionId, 0, 10).stream().map(c -> c.type().id()).toList(),
                "the feed's last word on x is that it is gone");
    }

    @Test
    void whenAWriterFailsAfterAppendingThenItsRowsStayBeyondTheCounterAndTheNextWriterOfAnyResourceIndexesThem() {
        SyncTarget inbox = SyncTarget.own(SyncResource.INBOX);
        index.write(connectionId, inbox, List.of(new ItemIndex.Indexed("gone", "1", 1)), List.of());
        try (FeedWriter failing = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow()) {
            failing.append(List.of(change("a", "1"), change("b", "1"), change("a", "2"),
                    Change.of(SyncResource.INBOX, Change.Type.DELETED, "gone", null, null)));
            // the index write fails here: no checkpoint, and the lease is let go
        }
        assertEquals(0, states.feed(connectionId).orElseThrow().counter(), "the counter of the last checkpoint, not past the rows");

        try (FeedWriter calendar = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow()) {
            assertEquals(4, states.feed(connectionId).orElseThrow().counter(),
                    "indexed, the rows are behind the counter at once: no later writer records them again in a newer generation");
            calendar.append(List.of(Change.of(SyncResource.CALENDAR, Change.Type.CREATED, "e", "1", null)));
            calendar.checkpoint();
        }

        assertEquals(5, states.feed(connectionId).orElseThrow().counter());
        assertEquals("2", index.find(connectionId, inbox, "a").orElseThrow().changeKey(), "the item's last row counts");
        assertEquals("1", index.find(connectionId, inbox, "b").orElseThrow().changeKey());
        assertEquals(Optional.empty(), index.find(connectionId, inbox, "gone"), "a deleted item leaves the index");
        assertEquals(Optional.empty(), index.find(connectionId, SyncTarget.own(SyncResource.CALENDAR), "e"),
                "a writer's own rows are indexed by its run, not here");
    }

    @Test
    void whenARunSavedTheStateSinceANotificationReadItThenTheMarkGoesOnTheFreshRowKeepingTheRunsState() {
        SyncTarget inbox = SyncTarget.own(SyncResource.INBOX);
        SyncState read = states.save(SyncState.start(connectionId, inbox)); // what the notification's worker read
        Instant started = clock.instant().plusSeconds(1);
        states.save(read.started(started)); // a run saved its start meanwhile
        Instant at = clock.instant().plusSeconds(10);

        states.markScheduled(connectionId, inbox, Optional.of(read), at); // no conflict thrown: the run is queued already

        SyncState fresh = states.find(connectionId, inbox).orElseThrow();
        assertEquals(at, fresh.scheduledRunAt());
        assertEquals(started, fresh.runStartedAt(), "the run's save kept");
        states.markScheduled(connectionId, inbox, Optional.of(read), at.minusSeconds(5));
        assertEquals(at, states.find(connectionId, inbox).orElseThrow().scheduledRunAt(), "a later mark is kept");
        states.clear(connectionId);
        states.markScheduled(connectionId, inbox, Optional.of(fresh), at.plusSeconds(5));
        assertEquals(Optional.empty(), states.find(connectionId, inbox), "a row a disconnect removed is not made again");
    }

    @Test
    void whenTheRowsBeyondTheCounterAreIndexedAlreadyThenRecordingThemAgainChangesNothing() {
        SyncTarget inbox = SyncTarget.own(SyncResource.INBOX);
        try (FeedWriter writer = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow()) {
            writer.append(List.of(change("a", "1"), Change.of(SyncResource.INBOX, Change.Type.DELETED, "b", null, null)));
            index.write(connectionId, inbox, List.of(new ItemIndex.Indexed("a", "1", 1)), List.of()); // b was never indexed
            // dies before the checkpoint
        }
        // twice: a writer that dies while recording them is followed by one that records them again
        FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow().close();
        FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow().close();

        assertEquals("1", index.find(connectionId, inbox, "a").orElseThrow().changeKey());
        assertEquals(Optional.empty(), index.find(connectionId, inbox, "b"));
    }

    @Test
    void whenAWriterHoldsTheFeedThenNoOtherGetsItUntilItsLeaseRunsOutAndTheLoserStopsAtItsCheckpoint() {
        FeedWriter holder = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow();

        assertEquals(Optional.empty(), FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)));
        clock.advance(Duration.ofMinutes(6));
        FeedWriter next = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow();

        assertThrows(ConcurrentUpdateException.class, holder::checkpoint, "the old holder learns it lost the feed");
        next.close();
    }

    @Test
    void whenASlowWriterAppendsAfterAnotherTookTheFeedOverThenItStopsWithoutClaimingTheRowsTheOtherWrote() {
        FeedWriter slow = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow();
        slow.append(List.of(change("a", "1")));
        slow.checkpoint();
        clock.advance(Duration.ofMinutes(6)); // still alive, but its lease ran out
        FeedWriter next = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow();
        next.append(List.of(change("b", "1"), change("c", "1")));

        assertThrows(ConcurrentUpdateException.class, () -> slow.append(List.of(change("d", "1"), change("e", "1"), change("f", "1"))),
                "sequences 2 and 3 hold the other writer's changes: the slow one must not report d and e as appended");
        next.checkpoint();
        next.close();

        List<Change> stored = feed.after(connectionId, 0, 10);
        assertEquals(List.of("a", "b", "c"), stored.stream().map(Change::itemId).toList(), "nothing of the slow writer's after the takeover");
        assertEquals(List.of(1L, 2L, 3L), stored.stream().map(Change::sequence).toList());
    }

    @Test
    void whenAnAppendFailsThenItsNumbersAreNotRecordedAndTheNextWriterLeavesNoHole() {
        FeedWriter slow = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow();
        slow.append(List.of(change("a", "1")));
        slow.checkpoint();
        clock.advance(Duration.ofMinutes(4)); // a minute of the slow one's lease left by its clock; another instance's runs ahead
        MutableClock ahead = new MutableClock(clock.instant().plus(Duration.ofMinutes(1).plusSeconds(1)));
        FeedWriter next = FeedWriter.acquire(states, feed, index, connectionId, ahead, Duration.ofMinutes(5)).orElseThrow();
        slow.append(List.of(change("d", "1"))); // the slow one writes sequence 2 first

        assertThrows(ConcurrentUpdateException.class, () -> next.append(List.of(change("b", "1"), change("c", "1"))));
        next.close();
        try (FeedWriter third = FeedWriter.acquire(states, feed, index, connectionId, ahead, Duration.ofMinutes(5)).orElseThrow()) {
            List<Change> appended = third.append(List.of(change("b", "1")));
            third.checkpoint();

            assertEquals(List.of(3L), appended.stream().map(Change::sequence).toList(), "right after the highest row: no hole, no false gap");
        }
    }

    @Test
    void whenAWritersTransactionWentThroughButItsAnswerWasLostThenAppendingItAgainKeepsTheRows() {
        try (FeedWriter writer = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow()) {
            List<Change> first = writer.append(List.of(change("a", "1"), change("b", "1")));
            feed.append(connectionId, first); // the same rows again, as a retried transaction would send them

            assertEquals(List.of("a", "b"), feed.after(connectionId, 0, 10).stream().map(Change::itemId).toList());
        }
    }

    @Test
    void whenAConnectionIsDisconnectedAndItsChangesExpireThenAReconnectNumbersOnAfterThem() {
        try (FeedWriter writer = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow()) {
            writer.append(List.of(change("a", "1"), change("b", "1"), change("c", "1")));
            writer.checkpoint();
        }
        states.clear(connectionId); // disconnect
        clock.advance(ChangeFeed.RETENTION.plusDays(1));
        assertEquals(3, new ExpiredChanges(feed, states, index, clock).deleteCreatedBefore(clock.instant().minus(ChangeFeed.RETENTION)), "housekeeping removes the old changes");

        try (FeedWriter writer = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow()) {
            List<Change> appended = writer.append(List.of(change("a", "1")));
            writer.checkpoint();

            assertEquals(List.of(4L), appended.stream().map(Change::sequence).toList(),
                    "a web app's cursor s3 must not hide the changes of the connection connected again");
        }
    }

    @Test
    void whenAWriterFailedBeforeItsCheckpointAndTheConnectionIsForgottenThenAReconnectAfterTheRowsExpireNumbersOnAfterThem() {
        try (FeedWriter failing = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow()) {
            failing.append(List.of(change("a", "1"), change("b", "1"), change("c", "1")));
            // the index write fails here: no checkpoint; a web app reads the three rows, its cursor is s3
        }
        FeedWriter.settleForForget(states, feed, connectionId); // disconnect
        states.clear(connectionId);
        assertEquals(3, states.feed(connectionId).orElseThrow().counter(), "the rows will never be indexed: the counter goes past them");
        clock.advance(ChangeFeed.RETENTION.plusDays(1));
        assertEquals(3, new ExpiredChanges(feed, states, index, clock).deleteCreatedBefore(clock.instant().minus(ChangeFeed.RETENTION)));

        try (FeedWriter writer = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow()) {
            List<Change> appended = writer.append(List.of(change("a", "1")));
            writer.checkpoint();

            assertEquals(List.of(4L), appended.stream().map(Change::sequence).toList(), "the cursor s3 must not hide the reconnect's changes");
        }
    }

    @Test
    void whenAFeedIsForgottenWithNothingBeyondItsCounterThenSettlingChangesNothing() {
        FeedWriter.settleForForget(states, feed, connectionId); // never written
        assertEquals(Optional.empty(), states.feed(connectionId));
        try (FeedWriter writer = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow()) {
            writer.append(List.of(change("a", "1")));
            writer.checkpoint();
        }
        String version = states.feed(connectionId).orElseThrow().version();

        FeedWriter.settleForForget(states, feed, connectionId);

        assertEquals(version, states.feed(connectionId).orElseThrow().version(), "no write when every row is behind the counter");
    }

    @Test
    void whenReadingAfterACursorThenChangesComeInOrderAndReadingAgainGivesTheSameOnes() {
        try (FeedWriter writer = FeedWriter.acquire(states, feed, index, connectionId, clock, Duration.ofMinutes(5)).orElseThrow()) {
            writer.append(List.of(change("a", "1"), change("b", "1"), change("a", "2")));
            writer.checkpoint();
        }

        List<Change> first = feed.after(connectionId, 0, 2);
        List<Change> rest = feed.after(connectionId, first.get(1).sequence(), 10);

        assertEquals(List.of(1L, 2L), first.stream().map(Change::sequence).toList());
        assertEquals(List.of("a"), rest.stream().map(Change::itemId).toList());
        assertTrue(!rest.get(0).id().equals(first.get(0).id()), "another version of an item is another change");
        assertEquals(first, feed.after(connectionId, 0, 2), "at least once: the same cursor reads the same changes, ids and all");
        assertEquals("s a", first.get(0).summary().subject());
    }

    @Test
    void whenAChangeIsMadeTwiceFromTheSameVersionThenItsIdIsTheSame() {
        assertEquals(change("x", "7").id(), change("x", "7").id());
        assertTrue(!change("x", "7").id().equals(change("x", "8").id()));
        assertEquals(Change.of(SyncResource.INBOX, Change.Type.DELETED, "x", null, null).id(),
                Change.of(SyncResource.INBOX, Change.Type.DELETED, "x", "whatever", null).id(), "a deletion has one id per item");
    }
}
