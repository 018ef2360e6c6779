package io.m365connector.crypto;

import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;

/** The token encryption key could not be read: nothing is written, the caller gets a 503. */
public final class KeyUnavailableException extends ConnectorException {
    /** Key Vault unreachable or answering 429/5xx: an outage that passes, not something the operator must change. */
    private final boolean passing;

    public KeyUnavailableException(String detail, Throwable cause) {
        this(detail, cause, false);
    }

    public KeyUnavailableException(String detail, Throwable cause, boolean passing) {
        super(ProblemCode.KEY_UNAVAILABLE, detail, null, cause);
        this.passing = passing;
    }

    public boolean passing() {
        return passing;
    }
}
