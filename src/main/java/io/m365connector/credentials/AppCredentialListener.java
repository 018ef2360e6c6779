package io.m365connector.credentials;

import java.util.Optional;

/**
 * Told once per change of a cloud's app credential state (by the instance that recorded it).
 * Implementations must not throw: a notification problem never fails the check.
 */
@FunctionalInterface
public interface AppCredentialListener {
    AppCredentialListener NONE = (before, after) -> { };

    /** @param before the previous status, empty for the first one recorded */
    void changed(Optional<AppCredentialStatus> before, AppCredentialStatus after);

    /**
     * Called before a change of state is saved, with what will be saved in the row of {@code configuration} (the credential's
     * fingerprint): the place to queue what must not be lost if the process dies after the save. Whatever it queues must
     * come to nothing if the change is not saved (another instance recorded its own check meanwhile).
     */
    default void beforeChange(Optional<AppCredentialStatus> before, AppCredentialStatus after, String configuration) {
    }
}
