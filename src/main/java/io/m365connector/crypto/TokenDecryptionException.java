package io.m365connector.crypto;

import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;

/**
 * Sealed tokens failed authentication: tampered, truncated, or presented as another row's (the
 * associated data binds ciphertext to its connection, cloud and key version). Never returns garbage.
 */
public final class TokenDecryptionException extends ConnectorException {
    public TokenDecryptionException(String connectionId, String detail, Throwable cause) {
        super(ProblemCode.TOKEN_UNREADABLE, detail, connectionId, cause);
    }
}
