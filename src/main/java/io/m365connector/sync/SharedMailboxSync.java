package io.m365connector.sync;

import io.m365connector.connection.Connection;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.connection.ConnectionStatus;
import io.m365connector.connection.ConnectionStore;
import io.m365connector.connection.SyncHealth;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.RequestValidationException;
import io.m365connector.platform.RequestValidationException.FieldError;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * The web app names the shared mailboxes a connection syncs ({@code PUT} / {@code DELETE
 * /api/connections/{id}/shared-mailboxes/{address}}). A named mailbox's inbox and calendar are synced like the
 * user's own, into the same feed (changes carry {@code mailbox}), by delta polling every
 * {@link SyncCapabilities#POLL_INTERVAL}: Graph's delegated subscriptions do not cover other users' mailboxes.
 * Exchange still decides whether the user may read it: a refusal shows as the target's {@code lastError}.
 */
public final class SharedMailboxSync {
    /** What the web app gets back: the mailbox and how its resources' sync stands. */
    public record View(String connectionId, String mailbox, boolean created, List<SyncHealth> sync) {
    }

    /** The answer to a removal. */
    public record Removed(String connectionId, String mailbox, boolean removed) {
    }

    private final ConnectionStore connections;
    private final SyncStores stores;
    private final Supplier<SyncTimer> timer;
    private final Clock clock;

    public SharedMailboxSync(ConnectionStore connections, SyncStores stores, Supplier<SyncTimer> timer, Clock clock) {
        this.connections = connections;
        this.stores = stores;
        this.timer = timer;
        this.clock = clock;
    }

    /** Starts syncing the shared mailbox (naming one already synced changes nothing; one never synced yet is enrolled again). */
    public View add(ConnectionRef ref, String address) {
        String mailbox = valid(address);
        Connection c = ref.admit(connections.find(ref.id()).orElseThrow(ref::notFound));
        if (c.status() == ConnectionStatus.DISCONNECTED) {
            throw new ConnectorException(ProblemCode.REAUTH_REQUIRED, "The connection is disconnected: connect the user again, then name "
                    + "the shared mailbox again.", c.id(), null);
        }
        if (!SyncResource.anyShared(c.features())) {
            throw new ConnectorException(ProblemCode.MISSING_PERMISSIONS, "Syncing a shared mailbox needs the shared_mailbox_read feature "
                    + "(its inbox) or the shared_calendar_read feature (its calendar), or shared_mailbox / shared_calendar: connect the "
                    + "user again with one of them.", c.id(), null);
        }
        List<String> named = stores.shared().of(c.id());
        if (!named.contains(mailbox) && named.size() >= SharedMailboxes.MAX_PER_CONNECTION) {
            throw invalid("This connection syncs " + named.size() + " shared mailboxes, the most it can: stop syncing one (DELETE) first.");
        }
        boolean created = !named.contains(mailbox);
        if (created) {
            stores.shared().name(c.id(), mailbox, clock.instant());
        }
        if (c.status() == ConnectionStatus.ACTIVE) { // otherwise enrolled when the connection becomes active
            for (SyncResource resource : SyncResource.values()) {
                SyncTarget target = SyncTarget.shared(resource, mailbox);
                // Named again: enrolled again if it never ran. A PUT that failed after the naming (its enrollment did not
                // reach storage) is finished by its retry; without this the mailbox stayed named and was never polled.
                if (!SyncCapabilities.enabled(c, target)) {
                    continue;
                }
                if (created) {
                    timer.get().enroll(c, target);
                } else {
                    timer.get().enrollIfNeverRun(c, target);
                }
            }
        }
        return new View(c.id(), mailbox, created, new SyncHealthReport(stores).ofShared(c, mailbox));
    }

    /**
     * Stops syncing the shared mailbox; the changes already in the feed stay there. Its sync state (delta link, item
     * index) is kept until the connection is disconnected, so naming it again resumes: what changed meanwhile arrives
     * (deletions included), what the feed already reported does not come twice.
     */
    public Removed remove(ConnectionRef ref, String address) {
        String mailbox = valid(address);
        Connection c = ref.admit(connections.find(ref.id()).orElseThrow(ref::notFound));
        boolean named = stores.shared().contains(c.id(), mailbox);
        if (named) {
            stores.shared().unname(c.id(), mailbox); // runs queued from now on find it not synced, and the timer drops it
        }
        return new Removed(c.id(), mailbox, named);
    }

    private static RequestValidationException invalid(String message) {
        return new RequestValidationException(List.of(new FieldError("mailbox", message)));
    }

    private static String valid(String address) {
        String problem = SharedMailboxes.problem(address);
        if (problem != null) {
            throw invalid(problem + " Name the shared mailbox by its address.");
        }
        return SyncTarget.canonical(address);
    }
}
