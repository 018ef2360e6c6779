package io.m365connector.idempotency;

import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Problem;
import io.m365connector.platform.ProblemCode;
import java.util.Map;

/** 409 with Retry-After: the same request is still running elsewhere. */
final class RequestInProgress extends ConnectorException implements Problem.ProblemExtensions {
    RequestInProgress(String connectionId) {
        super(ProblemCode.REQUEST_IN_PROGRESS, "A request with this Idempotency-Key is still running; retry with the same key shortly.",
                connectionId, null);
    }

    @Override
    public Map<String, Object> problemExtensions() {
        return Map.of("retryAfterSeconds", 1);
    }
}
