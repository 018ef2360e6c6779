package io.m365connector.sync;

import io.m365connector.connection.Connection;
import io.m365connector.connection.SyncHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The sync part of a connection's status: per synced resource, its state, last run and notifications. */
public final class SyncHealthReport implements SyncHealth.Source {
    private final SyncStates states;

    public SyncHealthReport(SyncStores stores) {
        this.states = stores.states();
    }

    @Override
    public List<SyncHealth> of(Connection connection) {
        List<SyncHealth> health = new ArrayList<>();
        for (SyncResource resource : SyncResource.values()) {
            if (!connection.features().contains(resource.feature())) {
                continue;
            }
            if (!SyncCapabilities.served(connection.cloud(), resource)) {
                health.add(new SyncHealth(resource.id(), "not_supported_in_cloud", null, null, null, null, null));
                continue;
            }
            Optional<SyncState> state = states.find(connection.id(), resource);
            Optional<SyncStates.SubscriptionState> subscription = states.subscription(connection.id(), resource);
            String stateId = state.isEmpty() || state.get().lastRunAt() == null ? "waiting"
                    : state.get().lastError() != null ? "failing" : state.get().deltaLink() == null ? "initial_sync" : "syncing";
            boolean subscribed = subscription.map(SyncStates.SubscriptionState::subscriptionId).isPresent();
            health.add(new SyncHealth(resource.id(), stateId, state.map(SyncState::lastSuccessAt).orElse(null),
                    state.map(SyncState::lastError).orElse(null), subscribed ? "subscribed" : "timer_only",
                    subscribed ? null : subscription.map(SyncStates.SubscriptionState::problem).orElse(null),
                    subscription.map(SyncStates.SubscriptionState::expiresAt).orElse(null)));
        }
        return health;
    }
}
