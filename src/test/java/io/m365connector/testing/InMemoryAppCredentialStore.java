package io.m365connector.testing;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.credentials.AppCredentialStatus;
import io.m365connector.credentials.AppCredentialStore;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** {@link AppCredentialStore} in memory, with ETags as Table Storage keeps them: a stale writer is refused. */
public final class InMemoryAppCredentialStore implements AppCredentialStore {
    private final Map<NationalCloud, Stored> rows = new ConcurrentHashMap<>();
    private final AtomicLong versions = new AtomicLong();

    @Override
    public Optional<Stored> find(NationalCloud cloud) {
        return Optional.ofNullable(rows.get(cloud));
    }

    @Override
    public synchronized boolean save(AppCredentialStatus next, String etag) {
        Stored current = rows.get(next.cloud());
        if (!Objects.equals(current == null ? null : current.etag(), etag)) {
            return false;
        }
        rows.put(next.cloud(), new Stored(next, "v" + versions.incrementAndGet()));
        return true;
    }
}
