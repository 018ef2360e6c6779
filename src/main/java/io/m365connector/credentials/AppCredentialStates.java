package io.m365connector.credentials;

import io.m365connector.cloud.NationalCloud;
import java.time.Instant;
import java.util.Optional;

/** The last known status of a cloud's app credential, for refreshes: they read it, and ask for a new check only in one case. */
@FunctionalInterface
public interface AppCredentialStates {
    AppCredentialStates NONE = cloud -> Optional.empty();

    /** The status as last recorded (it may be up to a minute old on this instance); empty when never checked. */
    Optional<AppCredentialStatus> current(NationalCloud cloud);

    /**
     * The status from a check made at {@code since} or later: made now unless one was; without a check configured
     * ({@code M365_<CLOUD>_HOME_TENANT}), the last known status. For a refresh refused at {@code since} with "app not found
     * in the directory" (AADSTS700016): that says either that the user's tenant lacks the app (the user's to fix) or that
     * the registration itself is gone (the operator's, and then every connection of the cloud is refused at once); only a
     * check at the registration's home tenant, made after the refusal, tells which.
     */
    default Optional<AppCredentialStatus> recheck(NationalCloud cloud, Instant since) {
        return current(cloud);
    }

    /** Whether the last check found this cloud's app credential refused by Entra ID. */
    default boolean invalid(NationalCloud cloud) {
        return current(cloud).map(s -> s.state() == AppCredentialStatus.State.INVALID).orElse(false);
    }
}
