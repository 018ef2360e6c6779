package io.m365connector.connection;

import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;

/**
 * The row changed since it was read (or already exists on create). The caller must re-read and
 * decide again: the other writer may hold a newer refresh token.
 */
public final class ConcurrentUpdateException extends ConnectorException {
    public ConcurrentUpdateException(String connectionId, String detail) {
        super(ProblemCode.CONCURRENT_UPDATE, detail, connectionId, null);
    }
}
