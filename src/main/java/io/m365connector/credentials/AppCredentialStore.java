package io.m365connector.credentials;

import io.m365connector.cloud.NationalCloud;
import java.util.Optional;

/**
 * The last status of each cloud's app credential configuration ({@link CredentialConfiguration}), shared by
 * every instance with that configuration. Writes are conditional, so when two instances check at once
 * exactly one records (and announces) a change.
 */
public interface AppCredentialStore {
    /** A stored status and the version it was read at. */
    record Stored(AppCredentialStatus status, String etag) {
    }

    Optional<Stored> find(NationalCloud cloud, String configuration);

    /**
     * Writes {@code next} for {@code configuration} if its stored row is still at {@code etag} (null: only if there is none yet).
     * False when another writer came first; nothing is overwritten then.
     */
    boolean save(AppCredentialStatus next, String configuration, String etag);
}
