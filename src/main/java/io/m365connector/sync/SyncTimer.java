package io.m365connector.sync;

import com.azure.data.tables.TableClient;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.ConnectionStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sync timer: every resource is synced on a schedule too, so nothing depends on a notification
 * arriving. Where Graph sends notifications for a resource in the connection's cloud, the timer is the
 * safety net ({@link SyncCapabilities#safetyInterval}); where it does not, the timer is how the resource is
 * synced ({@link SyncCapabilities#pollInterval}), as for every shared mailbox. Connections that are gone or no
 * longer sync, and shared mailboxes no longer named, drop out here.
 */
public final class SyncTimer {
    /** The most due entries one tick handles; the next tick continues. */
    static final int MAX_PER_TICK = 5_000;

    private final SyncSchedule schedule;
    private final ConnectionStore connections;
    private final SyncService sync;
    private final SyncStates states;
    private final Clock clock;
    /** Whether Graph can reach this app's notification URL (a public https one): without it no resource has a subscription. */
    private final boolean notificationsReachUs;

    public static SyncTimer of(TableClient syncDue, ConnectionStore connections, SyncService sync, SyncStores stores, NotificationUrls urls,
                               Clock clock) {
        return new SyncTimer(new SyncSchedule(syncDue), connections, sync, stores.states(), urls.notification().isPresent(), clock);
    }

    SyncTimer(SyncSchedule schedule, ConnectionStore connections, SyncService sync, SyncStates states, boolean notificationsReachUs,
              Clock clock) {
        this.schedule = schedule;
        this.connections = connections;
        this.sync = sync;
        this.states = states;
        this.notificationsReachUs = notificationsReachUs;
        this.clock = clock;
    }

    /** Starts syncing a connection's targets (its own resources and the shared mailboxes named): due at once, and asked for now. */
    public void enroll(Connection connection) {
        sync.targets(connection).forEach(target -> enroll(connection, target));
    }

    /**
     * Makes a connection's targets due now, without asking for runs: written before the row that makes the connection
     * active ({@link SyncEnrollment#beforeChange}), so that the timer starts them even if nothing after that row runs.
     */
    void schedule(Connection connection) {
        Instant now = clock.instant();
        sync.targets(connection).forEach(target -> schedule.add(connection.id(), target, now));
    }

    /** Enrolls the targets of a connection that have no sync state yet: never run, so perhaps never enrolled. */
    void enrollNeverRun(Connection connection) {
        sync.targets(connection).forEach(target -> enrollIfNeverRun(connection, target));
    }

    /** Enrolls {@code target} if it has no sync state yet (an enrollment that failed left none; a run always makes one). */
    void enrollIfNeverRun(Connection connection, SyncTarget target) {
        if (states.find(connection.id(), target).isEmpty()) {
            enroll(connection, target);
        }
    }

    /** Starts syncing one target of a connection. */
    void enroll(Connection connection, SyncTarget target) {
        schedule.add(connection.id(), target, clock.instant());
        sync.request(connection.id(), target, "connected");
    }

    /** One tick: every due resource gets a run and its next due time. Returns how many runs were asked for. */
    public int tick() {
        Instant now = clock.instant();
        List<SyncSchedule.Due> due = schedule.due(now, MAX_PER_TICK);
        TickReads reads = new TickReads();
        int requested = 0;
        for (SyncSchedule.Due entry : due) {
            Optional<Connection> connection = reads.connection(entry.connectionId());
            if (connection.isPresent() && reads.syncs(connection.get(), entry.target())) {
                schedule.add(entry.connectionId(), entry.target(), now.plus(interval(connection.get().cloud(), entry.target())));
                sync.request(entry.connectionId(), entry.target(), "timer");
                requested++;
            }
            schedule.remove(entry);
        }
        return requested;
    }

    /**
     * What one tick has read. A connection's targets are enrolled at once and those on the same interval stay due together,
     * so its row and each shared mailbox's naming are read once per tick rather than once per target. A tick of 5,000
     * entries may act on a row read minutes before: harmless, as the sync worker reads the connection again before a run.
     */
    private final class TickReads {
        private final Map<String, Optional<Connection>> connectionRows = new HashMap<>();
        private final Map<String, Boolean> namings = new HashMap<>();

        Optional<Connection> connection(String connectionId) {
            return connectionRows.computeIfAbsent(connectionId, connections::find);
        }

        boolean syncs(Connection c, SyncTarget target) {
            return c.status() == ConnectionStatus.ACTIVE && SyncService.syncs(c, target,
                    mailbox -> namings.computeIfAbsent(c.id() + "/" + mailbox, key -> sync.named(c.id(), mailbox)));
        }
    }

    /**
     * The safety interval where a subscription brings changes; the poll interval where none can: a cloud or a shared mailbox
     * Graph does not notify, or an app without a public https URL (a local run), whose changes would otherwise wait an hour.
     */
    private Duration interval(NationalCloud cloud, SyncTarget target) {
        return notificationsReachUs && SyncCapabilities.notifies(cloud, target) ? SyncCapabilities.safetyInterval()
                : SyncCapabilities.pollInterval();
    }
}
