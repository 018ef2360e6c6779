package io.m365connector.crypto;

import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;

/** The token encryption key could not be read: nothing is written, the caller gets a 503. */
public final class KeyUnavailableException extends ConnectorException {
    public KeyUnavailableException(String detail, Throwable cause) {
        super(ProblemCode.KEY_UNAVAILABLE, detail, null, cause);
    }
}
