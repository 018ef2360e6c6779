package io.m365connector.connection;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * How the sync of one resource of a connection stands, as its status shows it.
 *
 * @param mailbox       the shared mailbox whose resource it is (its address); absent for the user's own
 * @param state         {@code syncing}, {@code initial_sync}, {@code waiting} (no run yet), {@code failing} (the last run
 *                      failed: {@code lastError} says why) or {@code not_supported_in_cloud}
 * @param notifications {@code subscribed} (Graph notifies changes; the timer is the safety net) or {@code timer_only}
 *                      ({@code notificationsProblem} says why: no public https URL, Graph refused, not in this cloud)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SyncHealth(String resource, String mailbox, String state, Instant lastSyncAt, String lastError, String notifications,
                         String notificationsProblem, Instant subscriptionExpiresAt) {
    /** Where a connection's sync health comes from (the sync feature); {@link #NONE} without it. */
    @FunctionalInterface
    public interface Source {
        Source NONE = connection -> List.of();

        List<SyncHealth> of(Connection connection);
    }
}
