package io.m365connector.sync;

import io.m365connector.connection.Connection;
import io.m365connector.connection.SyncHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The sync part of a connection's status: per synced target (its own resources, then each shared mailbox's), state, last run, notifications. */
public final class SyncHealthReport implements SyncHealth.Source {
    private final SyncStates states;
    private final SharedMailboxes shared;

    public SyncHealthReport(SyncStores stores) {
        this.states = stores.states();
        this.shared = stores.shared();
    }

    @Override
    public List<SyncHealth> of(Connection connection) {
        List<SyncHealth> health = new ArrayList<>();
        for (SyncResource resource : SyncResource.values()) {
            if (resource.turnedOnBy(connection.features(), false)) {
                health.add(of(connection, SyncTarget.own(resource)));
            }
        }
        if (SyncResource.anyShared(connection.features())) { // only then can a shared mailbox have been named: no table read for the others
            for (String mailbox : shared.of(connection.id()).stream().sorted().toList()) {
                health.addAll(ofShared(connection, mailbox));
            }
        }
        return health;
    }

    /** The health of a shared mailbox's resources that the connection's features sync. */
    List<SyncHealth> ofShared(Connection connection, String mailbox) {
        List<SyncHealth> health = new ArrayList<>();
        for (SyncResource resource : SyncResource.values()) {
            if (resource.turnedOnBy(connection.features(), true)) {
                health.add(of(connection, SyncTarget.shared(resource, mailbox)));
            }
        }
        return health;
    }

    private SyncHealth of(Connection connection, SyncTarget target) {
        String resource = target.resource().id();
        if (!SyncCapabilities.served(connection.cloud(), target.resource())) {
            return new SyncHealth(resource, target.mailbox(), "not_supported_in_cloud", null, null, null, null, null);
        }
        Optional<SyncState> state = states.find(connection.id(), target);
        String stateId = state.isEmpty() || state.get().lastRunAt() == null ? "waiting"
                : state.get().lastError() != null ? "failing" : state.get().deltaLink() == null ? "initial_sync" : "syncing";
        if (target.isShared()) { // polled: Graph's delegated subscriptions do not cover shared mailboxes
            return new SyncHealth(resource, target.mailbox(), stateId, state.map(SyncState::lastSuccessAt).orElse(null),
                    state.map(SyncState::lastError).orElse(null), "timer_only", "shared_mailbox", null);
        }
        Optional<SyncStates.SubscriptionState> subscription = states.subscription(connection.id(), target.resource());
        boolean subscribed = subscription.map(SyncStates.SubscriptionState::subscriptionId).isPresent();
        return new SyncHealth(resource, null, stateId, state.map(SyncState::lastSuccessAt).orElse(null),
                state.map(SyncState::lastError).orElse(null), subscribed ? "subscribed" : "timer_only",
                subscribed ? null : subscription.map(SyncStates.SubscriptionState::problem).orElse(null),
                subscription.map(SyncStates.SubscriptionState::expiresAt).orElse(null));
    }
}
