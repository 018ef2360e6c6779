package io.m365connector.sync;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The calendar is synced through Graph's calendar view delta, which follows a fixed window (its delta
 * token encodes start and end; Graph documents no unbounded event delta in v1.0). The window runs from
 * {@link #PAST} ago to {@link #AHEAD} ahead, and is moved forward every {@link #ROLL_AFTER} by a full
 * resync: the item index keeps that from reporting unchanged events again.
 */
final class CalendarWindow {
    static final Duration PAST = Duration.ofDays(30);
    static final Duration AHEAD = Duration.ofDays(365);
    static final Duration ROLL_AFTER = Duration.ofDays(30);

    private CalendarWindow() {
    }

    static Instant start(Instant now) {
        return now.minus(PAST).truncatedTo(ChronoUnit.DAYS);
    }

    static Instant end(Instant now) {
        return start(now).plus(PAST).plus(AHEAD);
    }

    /** Whether a window chosen at {@code windowStart} is due to move forward. */
    static boolean due(Instant windowStart, Instant now) {
        return windowStart == null || !now.isBefore(windowStart.plus(PAST).plus(ROLL_AFTER));
    }
}
