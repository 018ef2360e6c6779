package io.m365connector.credentials;

import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableServiceException;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.credentials.AppCredentialStatus.State;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.TableAccess;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * {@link AppCredentialStore} on Table Storage: one row per cloud and configuration (RowKey
 * {@code <cloud>.<fingerprint>}), written with its ETag. Rows of configurations no longer in use stay
 * small and are never read again.
 */
public final class TableAppCredentialStore implements AppCredentialStore {
    private static final String PARTITION = "appcredential";

    private final TableAccess table;

    public TableAppCredentialStore(TableAccess table) {
        this.table = table;
    }

    @Override
    public Optional<Stored> find(NationalCloud cloud, String configuration) {
        return table.find(PARTITION, rowKey(cloud, configuration)).map(e -> new Stored(new AppCredentialStatus(cloud,
                (String) e.getProperty("Kind"), State.fromId((String) e.getProperty("State")),
                Optional.ofNullable((String) e.getProperty("Code")).flatMap(ProblemCode::fromCode).orElse(null),
                instant(e, "ExpiresAt"), instant(e, "CheckedAt"), instant(e, "ChangedAt"), (String) e.getProperty("LastCheckCode")),
                e.getETag()));
    }

    @Override
    public boolean save(AppCredentialStatus next, String configuration, String etag) {
        TableEntity entity = new TableEntity(PARTITION, rowKey(next.cloud(), configuration))
                .addProperty("Kind", next.kind())
                .addProperty("State", next.state().id())
                .addProperty("CheckedAt", time(next.checkedAt()))
                .addProperty("ChangedAt", time(next.changedAt()));
        if (next.code() != null) {
            entity.addProperty("Code", next.code().code());
        }
        if (next.expiresAt() != null) {
            entity.addProperty("ExpiresAt", time(next.expiresAt()));
        }
        if (next.lastCheckCode() != null) {
            entity.addProperty("LastCheckCode", next.lastCheckCode());
        }
        if (etag != null) {
            return table.replaceIfUnchanged(entity, etag).isPresent();
        }
        try {
            table.run(() -> table.client().createEntity(entity));
            return true;
        } catch (TableServiceException e) {
            if (TableAccess.status(e) == 409) {
                return false;
            }
            throw e;
        }
    }

    private static String rowKey(NationalCloud cloud, String configuration) {
        return cloud.id() + "." + configuration;
    }

    private static OffsetDateTime time(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(TableEntity entity, String name) {
        Object value = entity.getProperty(name);
        return value instanceof OffsetDateTime t ? t.toInstant() : null;
    }
}
