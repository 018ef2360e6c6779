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
}
