package io.m365connector.maintenance;

import io.m365connector.platform.ExpiringRecords;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * Removes what expires: login sessions, idempotency records and the change feed's changes older than
 * their retention. Each store deletes its own rows (login sessions by creation-day partition, so
 * nothing current is read). Also finishes the sync clean-up of connections disconnected over an hour ago whose
 * own clean-up failed or was cut short. Run daily by a timer; safe to run more often or twice.
 */
public final class Housekeeping {
    private static final Logger LOG = Logger.getLogger(Housekeeping.class.getName());
    /** Admin-consent links live 7 days; one more day of margin. */
    static final Duration SESSION_RETENTION = Duration.ofDays(8);
    /** How long an Idempotency-Key is remembered (and a retry with it returns the first outcome). */
    public static final Duration IDEMPOTENCY_RETENTION = Duration.ofHours(24);
    /** A disconnect cleans up at once (and a sync run it overlapped, when it ends): housekeeping's backstop waits this long. */
    static final Duration DISCONNECT_GRACE = Duration.ofHours(1);

    private final ExpiringRecords sessions;
    private final ExpiringRecords idempotency;
    private final ExpiringRecords changes;
    private final ExpiringRecords disconnects;
    private final Duration changeRetention;
    private final Clock clock;

    /**
     * @param changes     the change feed, whose changes are readable for {@code changeRetention} (the sync feature's promise)
     * @param disconnects what sync kept of connections disconnected before the cutoff given
     */
    public Housekeeping(ExpiringRecords sessions, ExpiringRecords idempotency, ExpiringRecords changes, Duration changeRetention,
                        ExpiringRecords disconnects, Clock clock) {
        this.sessions = Objects.requireNonNull(sessions, "'sessions' cannot be null.");
        this.idempotency = Objects.requireNonNull(idempotency, "'idempotency' cannot be null.");
        this.changes = Objects.requireNonNull(changes, "'changes' cannot be null.");
        this.changeRetention = Objects.requireNonNull(changeRetention, "'changeRetention' cannot be null.");
        this.disconnects = Objects.requireNonNull(disconnects, "'disconnects' cannot be null.");
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
    }

    public record Result(int sessionsDeleted, int idempotencyDeleted, int changesDeleted, int disconnectsFinished) {
    }

    /** Each store is cleaned even when another fails; the first failure is thrown afterwards, so that the run shows as failed. */
    public Result run() {
        Instant now = clock.instant();
        List<RuntimeException> failures = new ArrayList<>();
        int sessionsDeleted = clean(sessions, now.minus(SESSION_RETENTION), failures);
        int recordsDeleted = clean(idempotency, now.minus(IDEMPOTENCY_RETENTION), failures);
        int changesDeleted = clean(changes, now.minus(changeRetention), failures);
        int disconnectsFinished = clean(disconnects, now.minus(DISCONNECT_GRACE), failures);
        LOG.info("Housekeeping removed " + sessionsDeleted + " expired login session(s), " + recordsDeleted + " idempotency record(s) and "
                + changesDeleted + " change(s) older than " + changeRetention.toDays() + " days from the change feed, and finished the "
                + "sync clean-up of " + disconnectsFinished + " disconnected connection(s)"
                + (failures.isEmpty() ? "" : "; " + failures.size() + " of the four clean-ups failed (tried again at the next run)"));
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
        return new Result(sessionsDeleted, recordsDeleted, changesDeleted, disconnectsFinished);
    }

    private static int clean(ExpiringRecords records, Instant cutoff, List<RuntimeException> failures) {
        try {
            return records.deleteCreatedBefore(cutoff);
        } catch (RuntimeException e) {
            failures.add(e);
            return 0;
        }
    }
}
