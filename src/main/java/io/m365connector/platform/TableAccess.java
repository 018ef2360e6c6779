package io.m365connector.platform;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.rest.Response;
import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import com.azure.data.tables.models.TableServiceException;
import com.azure.data.tables.models.TableTransactionAction;
import com.azure.data.tables.models.TableTransactionActionType;
import com.azure.data.tables.models.TableTransactionFailedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Runs Table Storage calls for one table: creates the table the first time a call finds it missing
 * (so a fresh Azurite or storage account needs no setup step and a warm instance pays nothing), and
 * turns failures the caller cannot act on into {@link StorageUnavailableException}. Status codes the
 * caller does act on (404, 409, 412) are passed through as {@link TableServiceException}.
 */
public final class TableAccess {
    /** Table Storage transactions hold at most 100 entities, all of one partition. */
    public static final int TRANSACTION_LIMIT = 100;
    private static final Logger LOG = Logger.getLogger(TableAccess.class.getName());
    /** Table Storage's error codes for a property, row or request over its size limit. */
    private static final Set<String> SIZE_REFUSALS = Set.of("PropertyValueTooLarge", "EntityTooLarge", "RequestBodyTooLarge");

    private final TableClient table;

    public TableAccess(TableClient table) {
        this.table = table;
    }

    public TableClient client() {
        return table;
    }

    public <T> T call(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (RuntimeException e) {
            if (isTableMissing(e)) {
                createTable();
                return retry(operation);
            }
            if (e instanceof TableServiceException known) {
                throw passOrWrap(known);
            }
            throw unavailable(e);
        }
    }

    /** Point read: the entity, or empty when there is none. */
    public Optional<TableEntity> find(String partitionKey, String rowKey) {
        return find(partitionKey, rowKey, null);
    }

    /**
     * {@link #find}, given up after {@code within} (null: the client's own timeouts only). The bound covers the client's
     * own retries; a call it gives up on may still finish in the background (a blocking socket read ignores the
     * interrupt). With a bound, a missing table is simply no entity: it is not created under the caller's deadline.
     */
    public Optional<TableEntity> find(String partitionKey, String rowKey, Duration within) {
        try {
            Supplier<Response<TableEntity>> read = () -> table.getEntityWithResponse(partitionKey, rowKey, null, within, null);
            return Optional.of((within == null ? call(read) : bounded(read)).getValue());
        } catch (TableServiceException e) {
            if (status(e) == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private <T> T bounded(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof TableServiceException known) { // as thrown, or wrapped by the client's timeout pool
                    throw isTableMissing(known) ? known : passOrWrap(known);
                }
            }
            throw unavailable(e);
        }
    }

    /**
     * Replaces {@code entity} only if the stored one is still at {@code etag}: the new ETag, or empty when
     * the entity changed or was deleted meanwhile (the caller re-reads, it never overwrites).
     */
    public Optional<String> replaceIfUnchanged(TableEntity entity, String etag) {
        entity.addProperty("odata.etag", etag);
        try {
            return Optional.of(etag(call(() -> table.updateEntityWithResponse(entity, TableEntityUpdateMode.REPLACE, true, null, null))));
        } catch (TableServiceException e) {
            int status = status(e);
            if (status == 412 || status == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public void run(Runnable operation) {
        call(() -> {
            operation.run();
            return null;
        });
    }

    /**
     * The ETag a write returned. Azurite 3.37 answers inserts with a weak ETag that lacks its closing
     * quote (W/"datetime'...'), which it then refuses in If-Match; the quote is restored here. Real
     * Table Storage sends well-formed ETags, which pass unchanged.
     */
    public static String etag(Response<?> response) {
        String etag = response.getHeaders().getValue(HttpHeaderName.ETAG);
        if (etag != null && etag.startsWith("W/\"") && !etag.endsWith("\"")) {
            return etag + "\"";
        }
        return etag;
    }

    /** The service's error code (TableNotFound, EntityAlreadyExists, ...), null when the answer had none (Set.of refuses null). */
    public static String errorCode(TableServiceException e) {
        return e.getValue() == null ? null : String.valueOf(e.getValue().getErrorCode());
    }

    public static int status(TableServiceException e) {
        return e.getResponse() == null ? 0 : e.getResponse().getStatusCode();
    }

    private <T> T retry(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (TableServiceException e) {
            throw passOrWrap(e);
        } catch (RuntimeException e) {
            throw unavailable(e);
        }
    }

    private void createTable() {
        try {
            table.createTable();
        } catch (TableServiceException e) {
            if (status(e) != 409) {
                throw unavailable(e);
            }
        } catch (RuntimeException e) {
            throw unavailable(e);
        }
    }

    private RuntimeException passOrWrap(TableServiceException e) {
        if (Set.of(404, 409, 412).contains(status(e))) {
            return e;
        }
        String code = errorCode(e);
        if (code != null && SIZE_REFUSALS.contains(code)) { // still "unavailable" for the caller, but said apart: no retry stores it
            StorageUnavailableException refused = StorageUnavailableException.sizeRefusal(table.getTableName(), code, e);
            LOG.severe(refused.detail());
            return refused;
        }
        return unavailable(e);
    }

    private StorageUnavailableException unavailable(RuntimeException e) {
        return new StorageUnavailableException("Table Storage (table '" + table.getTableName() + "') failed: "
                + e.getClass().getSimpleName() + ". Check AzureWebJobsStorage and network access; try again later.", e);
    }

    /**
     * Point operations report a missing table as {@link TableServiceException} with code TableNotFound;
     * listing (a query) reports it as the SDK's implementation type {@code TableServiceJsonErrorException},
     * a plain {@link HttpResponseException} with status 404 whose body names TableNotFound. Both mean: create it.
     */
    static boolean isTableMissing(RuntimeException e) {
        if (e instanceof TableServiceException known) {
            return status(known) == 404 && "TableNotFound".equals(errorCode(known));
        }
        return e instanceof HttpResponseException http && http.getResponse() != null && http.getResponse().getStatusCode() == 404
                && String.valueOf(http.getMessage()).contains("TableNotFound");
    }

    /**
     * Deletes every entity matching an OData filter, reading only their keys; entities deleted by
     * someone else meanwhile are skipped. Returns how many this call deleted. The listing comes in key
     * order, so rows of one partition arrive together and go in transactions of up to 100: a
     * disconnect that clears an inbox's index of 10,000 items, or a day of expired changes, makes
     * 1 request per 100 rows instead of 100.
     */
    public int deleteMatching(String filter) {
        return deleteMatching(filter, row -> true);
    }

    /** {@link #deleteMatching(String)}, of the rows (their keys only) that {@code which} also takes. */
    public int deleteMatching(String filter, Predicate<TableEntity> which) {
        ListEntitiesOptions options = new ListEntitiesOptions().setFilter(filter).setSelect(List.of("PartitionKey", "RowKey"));
        return call(() -> {
            int deleted = 0;
            List<TableEntity> batch = new ArrayList<>();
            for (TableEntity entity : table.listEntities(options, null, null)) {
                if (!which.test(entity)) {
                    continue;
                }
                if (batch.size() == TRANSACTION_LIMIT || (!batch.isEmpty() && !batch.get(0).getPartitionKey().equals(entity.getPartitionKey()))) {
                    deleted += deleteTogether(batch);
                    batch.clear();
                }
                batch.add(entity);
            }
            return deleted + deleteTogether(batch);
        });
    }

    /**
     * Deletes rows of one partition in one transaction. A transaction is all or nothing, and fails when one of its
     * rows is gone (deleted meanwhile by another run): then they are deleted one by one, the missing ones skipped. Any
     * other failure (throttling, an outage) is the caller's, as for a single delete. The count can be low, never high:
     * a transaction that committed but whose answer was lost is retried by the SDK and then finds its rows gone.
     */
    int deleteTogether(List<TableEntity> rows) {
        if (rows.size() > 1) {
            try {
                table.submitTransaction(rows.stream().map(e -> new TableTransactionAction(TableTransactionActionType.DELETE, e)).toList());
                return rows.size();
            } catch (TableTransactionFailedException e) {
                if (!"ResourceNotFound".equals(errorCode(e))) {
                    throw e;
                }
            }
        }
        int deleted = 0;
        for (TableEntity row : rows) {
            // the SDK answers a row that is not there with its 404 response rather than an exception
            if (table.deleteEntityWithResponse(row, false, null, null).getStatusCode() != 404) {
                deleted++;
            }
        }
        return deleted;
    }

    /** Inserts {@code entity}: its ETag, or empty when a row with its keys exists already (nothing is overwritten). */
    public Optional<String> insert(TableEntity entity) {
        try {
            return Optional.of(etag(call(() -> table.createEntityWithResponse(entity, null, null))));
        } catch (TableServiceException e) {
            if (status(e) == 409) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Inserts or replaces {@code entity} whatever is stored. */
    public void upsert(TableEntity entity) {
        run(() -> table.upsertEntityWithResponse(entity, TableEntityUpdateMode.REPLACE, null, null));
    }

    /** Deletes a row; one that is already gone is fine. */
    public void delete(String partitionKey, String rowKey) {
        try {
            run(() -> table.deleteEntity(partitionKey, rowKey));
        } catch (TableServiceException e) {
            if (status(e) != 404) {
                throw e;
            }
        }
    }

    /** The entities matching an OData filter, in key order, at most {@code limit}. */
    public List<TableEntity> query(String filter, int limit) {
        ListEntitiesOptions options = new ListEntitiesOptions().setFilter(filter).setTop(Math.min(limit, 1000));
        return call(() -> {
            List<TableEntity> found = new ArrayList<>();
            for (TableEntity entity : table.listEntities(options, null, null)) {
                found.add(entity);
                if (found.size() >= limit) {
                    break;
                }
            }
            return found;
        });
    }

    /** An OData string literal: single quotes doubled. */
    public static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
