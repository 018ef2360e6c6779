package io.m365connector.platform;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Bad requests on the anonymous routes (the sign-in links and the callback), which anyone on the
 * internet can send: each is logged at FINE only, and counted; at most one INFO line per interval
 * sums them up by code. A flood of forged links costs one log line a minute, never an alert storm,
 * and the operator still sees that it happens.
 */
public final class BadRequestLog {
    private static final Logger LOG = Logger.getLogger(BadRequestLog.class.getName());
    public static final Duration SUMMARY_INTERVAL = Duration.ofMinutes(1);

    private final Clock clock;
    private final Map<String, Integer> counts = new TreeMap<>();
    private Instant windowStart;

    public BadRequestLog(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
    }

    /** One refused request: {@code code} is the stable problem code, {@code detail} goes to FINE only. */
    public synchronized void refused(String route, ProblemCode code, String detail) {
        LOG.log(Level.FINE, () -> "Refused " + route + ": " + code.code() + " (" + detail + ")");
        Instant now = clock.instant();
        if (windowStart == null) {
            windowStart = now;
        }
        counts.merge(code.code(), 1, Integer::sum);
        if (!now.isBefore(windowStart.plus(SUMMARY_INTERVAL))) {
            int total = counts.values().stream().mapToInt(Integer::intValue).sum();
            LOG.info(total + " bad request(s) on the sign-in routes since " + windowStart + ": " + counts);
            counts.clear();
            windowStart = now;
        }
    }
}
