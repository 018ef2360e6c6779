package io.m365connector.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.connection.Connection;
import io.m365connector.platform.RequestValidationException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Parsing of what reaches sync: feed queries, queued requests; and the calendar window's schedule. */
class SyncRequestsTest {
    @Test
    void whenTheFeedIsReadWithoutACursorThenItStartsAtTheBeginningWithOneHundred() {
        assertEquals(new ChangesQuery(0, 100), ChangesQuery.parse(Map.of()));
        assertEquals(new ChangesQuery(1832, 500), ChangesQuery.parse(Map.of("cursor", "s1832", "limit", "500")));
        assertEquals(new ChangesQuery(0, 100), ChangesQuery.parse(Map.of("cursor", "")), "an empty cursor is the start, as on the listings");
    }

    @Test
    void whenTheCursorOrLimitIsNotOneThenEveryFieldErrorComesBack() {
        RequestValidationException e = assertThrows(RequestValidationException.class,
                () -> ChangesQuery.parse(Map.of("cursor", "1832", "limit", "501", "since", "x")));
        assertEquals(3, e.errors().size(), e.errors().toString());
    }

    @Test
    void whenARequestGoesThroughTheQueueThenItComesBackTheSameAndAnythingElseIsRefused() {
        SyncRequest request = new SyncRequest(Connection.newId(), SyncResource.CALENDAR, "timer", Instant.parse("2026-12-05T10:00:00Z"));

        assertEquals(Optional.of(request), SyncRequest.parse(request.toJson()));
        assertTrue(SyncRequest.parse("{\"connectionId\":\"con_x\",\"resource\":\"inbox\",\"requestedAt\":\"2026-12-05T10:00:00Z\"}").isEmpty());
        assertTrue(SyncRequest.parse("{\"connectionId\":\"" + request.connectionId() + "\",\"resource\":\"contacts\"}").isEmpty());
        assertTrue(SyncRequest.parse("not json").isEmpty());
    }

    @Test
    void whenASharedMailboxRequestGoesThroughTheQueueThenItKeepsItsMailboxAndAnOldMessageIsTheUsersOwn() {
        String id = Connection.newId();
        SyncRequest shared = new SyncRequest(id, SyncTarget.shared(SyncResource.INBOX, "Sales@Contoso.com"), "timer",
                Instant.parse("2026-12-05T10:00:00Z"));

        assertEquals(Optional.of(shared), SyncRequest.parse(shared.toJson()));
        assertEquals("sales@contoso.com", SyncRequest.parse(shared.toJson()).orElseThrow().target().mailbox());
        assertEquals(SyncTarget.own(SyncResource.INBOX), SyncRequest.parse("{\"connectionId\":\"" + id + "\",\"resource\":\"inbox\","
                + "\"reason\":\"timer\",\"requestedAt\":\"2026-12-05T10:00:00Z\"}").orElseThrow().target(), "written before shared mailboxes");
        assertTrue(SyncRequest.parse("{\"connectionId\":\"" + id + "\",\"resource\":\"inbox\",\"mailbox\":\"not an address\","
                + "\"requestedAt\":\"2026-12-05T10:00:00Z\"}").isEmpty());
    }

    @Test
    void whenATargetsKeyIsReadBackThenOnlyItsOwnMailboxMatchesIt() {
        SyncTarget shared = SyncTarget.shared(SyncResource.CALENDAR, "sales@contoso.com");

        assertEquals("inbox", SyncTarget.own(SyncResource.INBOX).key());
        assertTrue(shared.key().matches("calendar\\.[0-9a-f]{24}"), shared.key());
        assertEquals(Optional.of(shared), SyncTarget.fromKey(shared.key(), "SALES@contoso.com"));
        assertEquals(Optional.of(SyncTarget.own(SyncResource.INBOX)), SyncTarget.fromKey("inbox", null));
        assertTrue(SyncTarget.fromKey(shared.key(), "support@contoso.com").isEmpty(), "another address has another digest");
        assertTrue(SyncTarget.fromKey(shared.key(), null).isEmpty());
        assertTrue(SyncTarget.fromKey("inbox", "sales@contoso.com").isEmpty());
    }

    @Test
    void whenTheSameItemChangesInTheUsersMailboxAndInASharedOneThenTheChangeIdsDifferAndTheUsersOwnAreAsBefore() {
        Change own = Change.of(SyncTarget.own(SyncResource.INBOX), Change.Type.CREATED, "AAMk1", "ck1", null);
        Change shared = Change.of(SyncTarget.shared(SyncResource.INBOX, "sales@contoso.com"), Change.Type.CREATED, "AAMk1", "ck1", null);

        assertEquals(Change.of(SyncResource.INBOX, Change.Type.CREATED, "AAMk1", "ck1", null).id(), own.id());
        assertEquals("chg_" + io.m365connector.platform.Secrets.sha256("inbox\nAAMk1\nck1").substring(0, 32), own.id(),
                "the user's own ids are those of feeds written before shared mailboxes");
        assertFalse(own.id().equals(shared.id()));
        assertEquals("sales@contoso.com", shared.mailbox());
    }

    @Test
    void whenTheCalendarWindowIsPlacedThenItSpansAMonthBackAndAYearAheadAndRollsAfterAMonth() {
        Instant now = Instant.parse("2026-12-05T10:30:00Z");
        Instant start = CalendarWindow.start(now);

        assertEquals(Instant.parse("2026-11-05T00:00:00Z"), start);
        assertEquals(start.plus(Duration.ofDays(395)), CalendarWindow.end(now));
        assertFalse(CalendarWindow.due(start, now.plus(Duration.ofDays(29))));
        assertTrue(CalendarWindow.due(start, now.plus(Duration.ofDays(31))));
        assertTrue(CalendarWindow.due(null, now));
    }
}
