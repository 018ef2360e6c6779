package io.m365connector.platform;

import java.util.Map;

/**
 * Table Storage (or a queue) could not be reached or refused the request for a reason the caller
 * cannot fix. Answered 503 with {@code Retry-After}: nothing was done that a retry could repeat.
 */
public final class StorageUnavailableException extends ConnectorException implements Problem.ProblemExtensions {
    /** Seconds a caller waits before retrying: storage outages are rarely shorter. */
    public static final int RETRY_AFTER_SECONDS = 30;

    public StorageUnavailableException(String detail, Throwable cause) {
        super(ProblemCode.STORAGE_UNAVAILABLE, detail, null, cause);
    }

    /**
     * Table Storage refused a write for its size (a property over 64 KiB, a row over 1 MiB): a value the connector did not
     * bound. Retrying cannot store it, so the detail does not send the operator to the storage account or the network.
     */
    static StorageUnavailableException sizeRefusal(String table, String storageErrorCode, Throwable cause) {
        return new StorageUnavailableException("Table Storage refused a write to table '" + table + "' for its size (" + storageErrorCode
                + "): a value the connector did not bound. Retries cannot store it; please report it with this line.", cause);
    }

    @Override
    public Map<String, Object> problemExtensions() {
        return Map.of("retryAfterSeconds", RETRY_AFTER_SECONDS);
    }
}
