package io.m365connector.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.m365connector.platform.ExpiringRecords;
import io.m365connector.platform.StorageUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The daily clean-up with stores that fail: one store's outage does not keep the others from being cleaned. */
class HousekeepingTest {
    private static final Instant NOW = Instant.parse("2026-12-06T03:17:00Z");
    private final List<Instant> cutoffs = new ArrayList<>();

    @Test
    void whenEveryStoreAnswersThenEachIsCleanedWithItsOwnRetention() {
        Housekeeping.Result result = new Housekeeping(deleting(2), deleting(3), deleting(5), Duration.ofDays(8), deleting(1),
                Clock.fixed(NOW, ZoneOffset.UTC)).run();

        assertEquals(new Housekeeping.Result(2, 3, 5, 1), result);
        assertEquals(List.of(NOW.minus(Duration.ofDays(8)), NOW.minus(Duration.ofHours(24)), NOW.minus(Duration.ofDays(8)),
                NOW.minus(Duration.ofHours(1))), cutoffs, "sessions, records, changes, then disconnects whose clean-up is an hour late");
    }

    @Test
    void whenTheFirstStoreFailsThenTheOthersAreStillCleanedAndTheRunFailsWithItsError() {
        StorageUnavailableException down = new StorageUnavailableException("login sessions unreachable", null);
        ExpiringRecords failing = cutoff -> {
            throw down;
        };

        RuntimeException thrown = assertThrows(RuntimeException.class, () -> new Housekeeping(failing, deleting(3), deleting(5),
                Duration.ofDays(8), deleting(1), Clock.fixed(NOW, ZoneOffset.UTC)).run());

        assertSame(down, thrown);
        assertEquals(3, cutoffs.size(), "idempotency records, changes and disconnects were cleaned all the same: " + cutoffs);
    }

    private ExpiringRecords deleting(int count) {
        return cutoff -> {
            cutoffs.add(cutoff);
            return count;
        };
    }
}
