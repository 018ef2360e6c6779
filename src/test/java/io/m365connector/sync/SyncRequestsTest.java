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
