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

    @Override
    public Map<String, Object> problemExtensions() {
        return Map.of("retryAfterSeconds", RETRY_AFTER_SECONDS);
    }
}
