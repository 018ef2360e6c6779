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
    private final Map<String, Stored> rows = new ConcurrentHashMap<>();
    private final AtomicLong versions = new AtomicLong();

    @Override
    public Optional<Stored> find(NationalCloud cloud, String configuration) {
        return Optional.ofNullable(rows.get(cloud.id() + "." + configuration));
    }

    /** The one stored row of {@code cloud}, whatever its configuration (tests of a single configuration). */
    public Optional<Stored> find(NationalCloud cloud) {
        return rows.entrySet().stream().filter(e -> e.getKey().startsWith(cloud.id() + ".")).map(Map.Entry::getValue).findFirst();
    }

    /** The configuration of the one stored row of {@code cloud}. */
    public String configuration(NationalCloud cloud) {
        return rows.keySet().stream().filter(k -> k.startsWith(cloud.id() + ".")).findFirst().orElseThrow()
                .substring(cloud.id().length() + 1);
    }

    @Override
    public synchronized boolean save(AppCredentialStatus next, String configuration, String etag) {
        String key = next.cloud().id() + "." + configuration;
        Stored current = rows.get(key);
        if (!Objects.equals(current == null ? null : current.etag(), etag)) {
            return false;
        }
        rows.put(key, new Stored(next, "v" + versions.incrementAndGet()));
        return true;
    }
}
