package io.m365connector.testing;

import io.m365connector.platform.Sleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A sleeper for unit tests: no real wait, the test's clock moves on instead. Remembers each wait. */
public final class ClockSleeper implements Sleeper {
    private final MutableClock clock;
    private final List<Duration> waits = new ArrayList<>();

    public ClockSleeper(MutableClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized void sleep(Duration duration) {
        waits.add(duration);
        clock.advance(duration);
    }

    public synchronized List<Duration> waits() {
        return List.copyOf(waits);
    }
}
