package io.m365connector.idempotency;

import com.azure.core.http.rest.Response;
import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableServiceException;
import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.platform.StorageUnavailableException;
import io.m365connector.platform.TableAccess;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

/**
 * Idempotency records in the {@code idempotency} table: PartitionKey = connection id, RowKey =
 * SHA-256 of the Idempotency-Key (any characters a client sends are safe as a key that way). The
 * insert is the lock: of concurrent duplicates exactly one creates the row.
 */
public final class TableIdempotencyStore implements IdempotencyStore {
    /** A random id of each write, on the row it wrote: tells a write whose answer was lost from another writer's. */
    private static final String WRITE_ID = "WriteId";
    private final TableAccess table;

    public TableIdempotencyStore(TableClient table) {
        this.table = new TableAccess(table);
    }

    /**
     * When the insert was stored but its answer lost, the storage client's retry of the same request meets the row (409);
     * the row's write id tells that it is this create's own, not another request's (which would have made this one wait
     * for itself and, for a send, never send).
     */
    @Override
    public Optional<IdempotencyRecord> tryCreate(IdempotencyRecord record) {
        String writeId = UUID.randomUUID().toString();
        TableEntity entity = toEntity(record).addProperty(WRITE_ID, writeId);
        try {
            Response<Void> response = table.call(() -> table.client().createEntityWithResponse(entity, null, null));
            return Optional.of(record.withVersion(TableAccess.etag(response)));
        } catch (TableServiceException e) {
            if (TableAccess.status(e) == 409) {
                return ownWrite(record, writeId);
            }
            throw e;
        }
    }

    @Override
    public Optional<IdempotencyRecord> find(String connectionId, String keyHash) {
        return table.find(connectionId, keyHash).map(TableIdempotencyStore::fromEntity);
    }

    /**
     * A replace stored whose answer was lost meets its own new ETag when the storage client sends it again (412): the
     * write id tells, and the work goes on (it would otherwise stop as if taken over, leaving "about to send" recorded
     * and nothing sent).
     */
    @Override
    public IdempotencyRecord update(IdempotencyRecord record) {
        String writeId = UUID.randomUUID().toString();
        return table.replaceIfUnchanged(toEntity(record).addProperty(WRITE_ID, writeId), record.version()).map(record::withVersion)
                .or(() -> ownWrite(record, writeId))
                .orElseThrow(() -> new ConcurrentUpdateException(record.connectionId(), "The idempotency record changed meanwhile."));
    }

    /** The row as {@code record}, when it holds this very write; a read that fails counts as another writer's, as before. */
    private Optional<IdempotencyRecord> ownWrite(IdempotencyRecord record, String writeId) {
        try {
            return table.find(record.connectionId(), record.keyHash()).filter(row -> writeId.equals(row.getProperty(WRITE_ID)))
                    .map(row -> record.withVersion(row.getETag()));
        } catch (StorageUnavailableException e) {
            return Optional.empty();
        }
    }

    @Override
    public int deleteCreatedBefore(Instant cutoff) {
        return table.deleteMatching("CreatedAt lt datetime'" + cutoff + "'");
    }

    private static TableEntity toEntity(IdempotencyRecord r) {
        TableEntity e = new TableEntity(r.connectionId(), r.keyHash())
                .addProperty("RequestHash", r.requestHash())
                .addProperty("Operation", r.operation())
                .addProperty("State", r.state().name())
                .addProperty("LeaseUntil", r.leaseUntil().atOffset(ZoneOffset.UTC))
                .addProperty("CreatedAt", r.createdAt().atOffset(ZoneOffset.UTC));
        if (r.progress() != null) {
            e.addProperty("Progress", r.progress());
        }
        if (r.outcomeStatus() != null) {
            e.addProperty("OutcomeStatus", r.outcomeStatus());
            e.addProperty("OutcomeBody", r.outcomeBody());
        }
        return e;
    }

    private static IdempotencyRecord fromEntity(TableEntity e) {
        Object status = e.getProperty("OutcomeStatus");
        return new IdempotencyRecord(e.getPartitionKey(), e.getRowKey(), (String) e.getProperty("RequestHash"),
                (String) e.getProperty("Operation"), IdempotencyRecord.State.valueOf((String) e.getProperty("State")),
                instant(e.getProperty("LeaseUntil")), (String) e.getProperty("Progress"),
                status == null ? null : ((Number) status).intValue(), (String) e.getProperty("OutcomeBody"),
                instant(e.getProperty("CreatedAt")), e.getETag());
    }

    private static Instant instant(Object value) {
        return value instanceof OffsetDateTime odt ? odt.toInstant() : OffsetDateTime.parse(value.toString()).toInstant();
    }
}
