package io.m365connector.reading;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cursor after a page of messages: where the next page starts (keyed by the second of the last message read). */
class MessageQueryTest {
    private static final Instant S = Instant.parse("2026-12-01T10:00:00Z");

    private static MessageQuery query(String cursor) {
        Map<String, String> q = new HashMap<>(Map.of("pageSize", "2"));
        if (cursor != null) {
            q.put("cursor", cursor);
        }
        return MessageQuery.parse(q);
    }

    @Test
    void whenAPageEndsInANewSecondThenTheNextStartsInItAfterTheOnesRead() {
        MessageQuery next = query(query(null).cursorAfter(List.of(S.plusSeconds(5), S.plusMillis(700))));
        assertEquals(S, next.before());
        assertEquals(1, next.skip(), "one of second S read; the one of S+5 is not of that second");
        assertEquals(true, next.graphFilter().contains("receivedDateTime lt " + S.plusSeconds(1)), next.graphFilter());
    }

    @Test
    void whenAWholePageIsInTheSecondOfTheCursorThenTheSkipGrowsAndTheListingMovesOn() {
        MessageQuery second = query(query(null).cursorAfter(List.of(S.plusMillis(900), S.plusMillis(800))));
        assertEquals(2, second.skip());
        MessageQuery third = query(second.cursorAfter(List.of(S.plusMillis(700), S.plusMillis(600))));
        assertEquals(S, third.before());
        assertEquals(4, third.skip());
    }

    /** Shown after the bound asked for (Graph rounding up, say): counted in the bound's second, so the listing never goes back. */
    @Test
    void whenGraphShowsATimeAfterTheBoundThenItCountsInTheBoundsSecond() {
        MessageQuery second = query(query(null).cursorAfter(List.of(S.plusSeconds(1), S.plusMillis(900))));
        MessageQuery third = query(second.cursorAfter(List.of(S.plusSeconds(1), S.plusSeconds(1))));
        assertEquals(S, third.before(), "not back to S+1");
        assertEquals(3, third.skip());
    }

    /** A counted cursor of the previous version goes on counting: its earlier pages cannot be told apart by second. */
    @Test
    void whenACountedCursorOfThePreviousVersionComesThenTheListingGoesOnCounting() {
        MessageQuery counted = query(PageCursor.of(4, query(null).fingerprint()));
        assertEquals(4, counted.skip());
        MessageQuery next = query(counted.cursorAfter(List.of(S, S)));
        assertEquals(null, next.before());
        assertEquals(6, next.skip());
    }
}
