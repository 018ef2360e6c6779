package io.m365connector.graph;

import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Problem;
import io.m365connector.platform.ProblemCode;
import java.util.LinkedHashMap;
import java.util.Map;

/** An API error that came from Graph, with Graph's code and, when known, how long to wait before retrying. */
public final class GraphException extends ConnectorException implements Problem.ProblemExtensions {
    private final String graphCode;
    private final Long retryAfterSeconds;

    public GraphException(ProblemCode code, String detail, String connectionId, String graphCode, Long retryAfterSeconds) {
        super(code, detail, connectionId, null);
        this.graphCode = graphCode;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public Map<String, Object> problemExtensions() {
        Map<String, Object> extra = new LinkedHashMap<>();
        if (graphCode != null) {
            extra.put("graphCode", graphCode);
        }
        if (retryAfterSeconds != null) {
            extra.put("retryAfterSeconds", retryAfterSeconds);
        }
        return extra;
    }
}
