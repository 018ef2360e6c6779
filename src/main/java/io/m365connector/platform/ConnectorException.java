package io.m365connector.platform;

import java.util.Objects;

/**
 * The application error every layer converts its failures into. The {@link ProblemCode} decides
 * the HTTP status and the stable code; the detail is written for the reader and never carries a
 * token, code, secret or ciphertext.
 */
public class ConnectorException extends RuntimeException {
    private final ProblemCode code;
    private final String connectionId;

    public ConnectorException(ProblemCode code, String detail) {
        this(code, detail, null, null);
    }

    public ConnectorException(ProblemCode code, String detail, String connectionId, Throwable cause) {
        super(Objects.requireNonNull(detail, "'detail' cannot be null."), cause);
        this.code = Objects.requireNonNull(code, "'code' cannot be null.");
        this.connectionId = connectionId;
    }

    public ProblemCode code() {
        return code;
    }

    /** The connection the error concerns, or null. */
    public String connectionId() {
        return connectionId;
    }

    public String detail() {
        return getMessage();
    }
}
