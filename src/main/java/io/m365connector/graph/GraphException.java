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

    private final int status;

    public GraphException(ProblemCode code, String detail, String connectionId, String graphCode, Long retryAfterSeconds) {
        this(code, detail, connectionId, graphCode, retryAfterSeconds, 0);
    }

    GraphException(ProblemCode code, String detail, String connectionId, String graphCode, Long retryAfterSeconds, int status) {
        super(code, detail, connectionId, null);
        this.graphCode = graphCode;
        this.retryAfterSeconds = retryAfterSeconds;
        this.status = status;
    }

    /**
     * Graph no longer has the sync state a delta link names: 410 Gone, or the codes Microsoft documents
     * for it ({@code syncStateNotFound}, {@code resyncRequired}, {@code syncStateInvalid}; seen in either
     * letter case). The delta must start again from a full sync.
     */
    public boolean syncStateLost() {
        return status == 410 || graphCode != null && (graphCode.equalsIgnoreCase("syncStateNotFound")
                || graphCode.equalsIgnoreCase("resyncRequired") || graphCode.equalsIgnoreCase("syncStateInvalid"));
    }

    /**
     * Following a delta or next link stored from an earlier page failed so that the link itself is the problem: the
     * sync state is lost ({@link #syncStateLost}), or a 400 or 404 with another code, which the delta overview allows ("the
     * service should respond with a 40X-series error with error codes such as syncStateNotFound", Token duration). A
     * fresh delta asks nothing of the old link; if the resource itself is gone, its first page says so.
     */
    public boolean storedLinkRefused() {
        return syncStateLost() || status == 400 || status == 404;
    }

    /** Graph answered 409 Conflict (for a subscription: one for the same resource and change types exists). */
    public boolean conflict() {
        return status == 409;
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
