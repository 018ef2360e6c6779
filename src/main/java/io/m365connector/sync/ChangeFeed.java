package io.m365connector.sync;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableTransactionAction;
import com.azure.data.tables.models.TableTransactionActionType;
import com.azure.data.tables.models.TableTransactionFailedException;
import io.m365connector.connection.ConcurrentUpdateException;
import io.m365connector.platform.Json;
import io.m365connector.platform.TableAccess;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * The change feed: table {@code changes}, PartitionKey = connection id, RowKey = the change's sequence
 * (20 digits, so rows sort in feed order). Only the connection's feed writer (one at a time, under the
 * feed lease) appends, always after the highest row, so a reader that stored a cursor never misses a
 * row written later below it. Rows are kept {@link #RETENTION} and then removed by housekeeping.
 */
public final class ChangeFeed {
    /** How long changes stay readable: at least 7 days for a web app that was down. */
    public static final Duration RETENTION = Duration.ofDays(8);

    private final TableAccess table;

    public ChangeFeed(TableClient table) {
        this.table = new TableAccess(table);
    }

    /** The changes after {@code afterSequence}, in order, at most {@code limit}. */
    public List<Change> after(String connectionId, long afterSequence, int limit) {
        String filter = "PartitionKey eq " + TableAccess.literal(connectionId) + " and RowKey gt " + TableAccess.literal(key(afterSequence));
        return table.query(filter, limit).stream().map(ChangeFeed::fromEntity).toList();
    }

    /**
     * Appends changes that already carry their sequences, in one transaction per 100. A row already there with the same
     * change is this writer's own (a transaction that went through though its answer was lost) and is kept; a row with
     * another change means another writer took the feed over while this one was slow: {@link ConcurrentUpdateException},
     * before the caller records anything as appended (its item index, its webhooks).
     */
    void append(String connectionId, List<Change> changes) {
        for (int from = 0; from < changes.size(); from += TableAccess.TRANSACTION_LIMIT) {
            List<Change> batch = changes.subList(from, Math.min(changes.size(), from + TableAccess.TRANSACTION_LIMIT));
            List<TableTransactionAction> actions = new ArrayList<>();
            batch.forEach(c -> actions.add(new TableTransactionAction(TableTransactionActionType.CREATE, toEntity(connectionId, c))));
            if (table.call(() -> rowExisted(actions))) {
                batch.forEach(c -> insertOwn(connectionId, c)); // one of them exists: insert the others one by one
            }
        }
    }

    /** Submits the transaction; true when it failed only because a row with one of its keys exists (nothing was written). */
    private boolean rowExisted(List<TableTransactionAction> actions) {
        try {
            table.client().submitTransaction(actions);
            return false;
        } catch (TableTransactionFailedException e) {
            if ("EntityAlreadyExists".equals(TableAccess.errorCode(e))) {
                return true;
            }
            throw e;
        }
    }

    private void insertOwn(String connectionId, Change change) {
        TableEntity row = toEntity(connectionId, change);
        if (table.insert(row).isPresent()) {
            return;
        }
        String there = table.find(connectionId, row.getRowKey()).map(e -> (String) e.getProperty("ChangeId")).orElse(null);
        if (!change.id().equals(there)) {
            throw new ConcurrentUpdateException(connectionId, "Another writer took the change feed over: sequence " + change.sequence()
                    + " holds another change.");
        }
    }

    /** The changes appended before {@code cutoff} that {@code which} takes (by connection and sequence): {@link ExpiredChanges}. */
    int deleteCreatedBefore(Instant cutoff, BiPredicate<String, Long> which) {
        return table.deleteMatching("AppendedAt lt datetime'" + cutoff + "'", row -> which.test(row.getPartitionKey(), Long.parseLong(row.getRowKey())));
    }

    /** Every change of a connection removed for good. */
    void deleteAll(String connectionId) {
        table.deleteMatching("PartitionKey eq " + TableAccess.literal(connectionId));
    }

    static String key(long sequence) {
        return String.format("%020d", sequence);
    }

    private static TableEntity toEntity(String connectionId, Change c) {
        TableEntity e = new TableEntity(connectionId, key(c.sequence()))
                .addProperty("ChangeId", c.id())
                .addProperty("Resource", c.resource())
                .addProperty("Type", c.type().name())
                .addProperty("ItemId", c.itemId())
                .addProperty("AppendedAt", c.appendedAt().atOffset(ZoneOffset.UTC));
        if (c.mailbox() != null) {
            e.addProperty("Mailbox", c.mailbox());
        }
        if (c.changeKey() != null) {
            e.addProperty("ChangeKey", c.changeKey());
        }
        if (c.summary() != null) {
            // isAllDay in a column of its own: versions before it read Summary strictly (an unknown field fails the row), and
            // a rolling deploy or a rollback has them read rows this one wrote
            e.addProperty("Summary", Json.write(c.summary().withAllDay(null).withTo(null)));
            if (c.summary().isAllDay() != null) {
                e.addProperty("AllDay", c.summary().isAllDay());
            }
            if (c.summary().to() != null) {
                e.addProperty("To", Json.write(c.summary().to())); // its own column too, for the same reason
            }
        }
        return e;
    }

    private static Change fromEntity(TableEntity e) {
        Object summary = e.getProperty("Summary");
        Object appended = e.getProperty("AppendedAt");
        return new Change(Long.parseLong(e.getRowKey()), (String) e.getProperty("ChangeId"), (String) e.getProperty("Resource"),
                (String) e.getProperty("Mailbox"), Change.Type.valueOf((String) e.getProperty("Type")), (String) e.getProperty("ItemId"), (String) e.getProperty("ChangeKey"),
                appended instanceof OffsetDateTime t ? t.toInstant() : null,
                summary == null ? null : summary((String) summary, (Boolean) e.getProperty("AllDay"), (String) e.getProperty("To")));
    }

    /** The summary's JSON, with isAllDay from its column (rows written before the column have it in the JSON, or not at all). */
    private static Change.Summary summary(String json, Boolean allDay, String to) {
        Change.Summary summary = Json.read(json, Change.Summary.class);
        summary = allDay == null ? summary : summary.withAllDay(allDay);
        return to == null ? summary : summary.withTo(Arrays.asList(Json.read(to, String[].class)));
    }
}
