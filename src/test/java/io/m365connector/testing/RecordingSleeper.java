package io.m365connector.testing;

import io.m365connector.platform.Sleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A sleeper for tests: remembers every wait the code asked for and sleeps at most 300 ms of it (long
 * enough for a concurrent writer to land), so retry delays and confirmation polls keep their order without costing
 * the suite real seconds.
 */
public final class RecordingSleeper implements Sleeper {
    private static final Duration CAP = Duration.ofMillis(300);
    private final List<Duration> waits = new ArrayList<>();

    @Override
    public void sleep(Duration duration) {
        synchronized (waits) {
            waits.add(duration);
        }
        Sleeper.REAL.sleep(duration.compareTo(CAP) > 0 ? CAP : duration);
    }

    /** Every wait asked for so far, in order. */
    public List<Duration> waits() {
        synchronized (waits) {
            return List.copyOf(waits);
        }
    }
}
