package io.m365connector.maintenance;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableServiceException;
import io.m365connector.platform.TableAccess;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.logging.Logger;

/**
 * Removes what expires: login sessions (their PartitionKey is their creation day, so old ones are a
 * PartitionKey range and nothing current is read) and idempotency records older than the replay
 * window. Run daily by a timer; safe to run more often or twice.
 */
public final class Housekeeping {
    private static final Logger LOG = Logger.getLogger(Housekeeping.class.getName());
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    /** Admin-consent links live 7 days; one more day of margin. */
    static final Duration SESSION_RETENTION = Duration.ofDays(8);
    /** How long an Idempotency-Key is remembered (and a retry with it returns the first outcome). */
    public static final Duration IDEMPOTENCY_RETENTION = Duration.ofHours(24);

    private final TableAccess sessions;
    private final TableAccess idempotency;
    private final Clock clock;

    public Housekeeping(TableClient sessions, TableClient idempotency, Clock clock) {
        this.sessions = new TableAccess(sessions);
        this.idempotency = new TableAccess(idempotency);
        this.clock = clock;
    }

    public record Result(int sessionsDeleted, int idempotencyDeleted) {
    }

    public Result run() {
        Instant now = clock.instant();
        int sessionsDeleted = delete(sessions, "PartitionKey lt '" + DAY.format(now.minus(SESSION_RETENTION)) + "'");
        int recordsDeleted = delete(idempotency, "CreatedAt lt datetime'" + now.minus(IDEMPOTENCY_RETENTION) + "'");
        LOG.info("Housekeeping removed " + sessionsDeleted + " expired login session(s) and " + recordsDeleted + " idempotency record(s)");
        return new Result(sessionsDeleted, recordsDeleted);
    }

    private static int delete(TableAccess table, String filter) {
        ListEntitiesOptions options = new ListEntitiesOptions().setFilter(filter).setSelect(List.of("PartitionKey", "RowKey"));
        return table.call(() -> {
            int deleted = 0;
            for (TableEntity entity : table.client().listEntities(options, null, null)) {
                try {
                    table.client().deleteEntity(entity.getPartitionKey(), entity.getRowKey());
                    deleted++;
                } catch (TableServiceException e) {
                    if (TableAccess.status(e) != 404) {
                        throw e;
                    }
                }
            }
            return deleted;
        });
    }
}
