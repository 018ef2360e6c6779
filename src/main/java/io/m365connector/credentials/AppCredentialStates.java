package io.m365connector.credentials;

import io.m365connector.cloud.NationalCloud;
import java.util.Optional;

/** The last known status of a cloud's app credential, for code that must not make the check itself (refreshes). */
@FunctionalInterface
public interface AppCredentialStates {
    AppCredentialStates NONE = cloud -> Optional.empty();

    /** The status as last recorded (it may be up to a minute old on this instance); empty when never checked. */
    Optional<AppCredentialStatus> current(NationalCloud cloud);

    /** Whether the last check found this cloud's app credential refused by Entra ID. */
    default boolean invalid(NationalCloud cloud) {
        return current(cloud).map(s -> s.state() == AppCredentialStatus.State.INVALID).orElse(false);
    }
}
