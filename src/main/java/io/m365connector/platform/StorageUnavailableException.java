package io.m365connector.platform;


/** Table Storage could not be reached or refused the request for a reason the caller cannot fix. */
public final class StorageUnavailableException extends ConnectorException {
    public StorageUnavailableException(String detail, Throwable cause) {
        super(ProblemCode.STORAGE_UNAVAILABLE, detail, null, cause);
    }
}
