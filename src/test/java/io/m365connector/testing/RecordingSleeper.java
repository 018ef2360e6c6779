package io.m365connector.testing;

import io.m365connector.platform.Sleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A sleeper for tests: remembers every wait the code asked for and sleeps only a sliver of it (at most
 * {@code cap}, 10 ms unless a test needs a concurrent writer to land meanwhile), so retry delays and
 * confirmation polls keep their order without costing the suite real seconds. The test's clock is not
 * moved: tests that need time to pass move it themselves.
 */
public final class RecordingSleeper implements Sleeper {
    private final Duration cap;
    private final List<Duration> waits = new ArrayList<>();

    public RecordingSleeper() {
        this(Duration.ofMillis(10));
    }

    public RecordingSleeper(Duration cap) {
        this.cap = cap;
    }

    @Override
    public void sleep(Duration duration) {
        synchronized (waits) {
            waits.add(duration);
        }
        Sleeper.REAL.sleep(duration.compareTo(cap) > 0 ? cap : duration);
    }

    /** Every wait asked for so far, in order. */
    public List<Duration> waits() {
        synchronized (waits) {
            return List.copyOf(waits);
        }
    }
}
