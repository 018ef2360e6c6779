package io.m365connector.actions;

import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.kiota.ApiException;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Problem;
import io.m365connector.platform.ProblemCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A failed Graph call: status (0 when no answer came back), Graph's error code and message, and
 * Retry-After. Says whether the request certainly was not processed (safe to send again), or may
 * have been (ambiguous), and turns into the API's error.
 */
record GraphFailure(int status, String code, String message, Optional<Duration> retryAfter) {

    static GraphFailure of(Throwable error) {
        Throwable cause = error;
        while (cause != null && !(cause instanceof ApiException) && !(cause instanceof IOException) && cause.getCause() != null
                && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof ApiException api) {
            String code = null;
            String message = api.getMessage();
            if (api instanceof ODataError odata && odata.getError() != null) {
                code = odata.getError().getCode();
                message = odata.getError().getMessage();
            }
            return new GraphFailure(api.getResponseStatusCode(), code, message, retryAfter(api));
        }
        if (cause instanceof IOException || cause instanceof UncheckedIOException) {
            return new GraphFailure(0, null, cause.getClass().getSimpleName(), Optional.empty());
        }
        return new GraphFailure(0, null, error.getClass().getSimpleName(), Optional.empty());
    }

    /** Graph refused before doing anything (throttled or unavailable): sending again cannot duplicate. */
    boolean notProcessed() {
        return status == 429 || status == 503;
    }

    /** No answer, or a gateway/server error: the request may or may not have been carried out. */
    boolean ambiguous() {
        return status == 0 || status == 500 || status == 502 || status == 504;
    }

    ConnectorException toException(String connectionId) {
        ProblemCode problem;
        String detail;
        if (status == 429) {
            problem = ProblemCode.THROTTLED;
            detail = "Microsoft Graph is throttling this user or app; retry after the Retry-After delay.";
        } else if (status == 503 || ambiguous()) {
            problem = ProblemCode.TEMPORARILY_UNAVAILABLE;
            detail = "Microsoft Graph did not complete the request (" + (status == 0 ? message : "HTTP " + status) + "); try again.";
        } else if (status == 403 && "ErrorSendAsDenied".equalsIgnoreCase(code)) {
            problem = ProblemCode.SEND_AS_DENIED;
            detail = "The user may not send as (or on behalf of) that mailbox. An Exchange administrator grants Send As or Send on Behalf.";
        } else if (status == 403 || status == 401) {
            problem = ProblemCode.MAILBOX_ACCESS_DENIED;
            detail = "Microsoft Graph denied access" + (code == null ? "" : " (" + code + ")")
                    + ": the user has no access to that mailbox or calendar, or a policy blocks the app.";
        } else if (status == 404) {
            problem = ProblemCode.NOT_FOUND;
            detail = "Microsoft Graph did not find it" + (code == null ? "" : " (" + code + ")") + ": check the id and the mailbox.";
        } else if (status == 413) {
            problem = ProblemCode.PAYLOAD_TOO_LARGE;
            detail = "Microsoft Graph refused the size of the request: " + message;
        } else if (status >= 400 && status < 500) {
            problem = ProblemCode.INVALID_REQUEST;
            detail = "Microsoft Graph refused the request" + (code == null ? "" : " (" + code + ")") + ": " + message;
        } else {
            problem = ProblemCode.GRAPH_ERROR;
            detail = "Microsoft Graph answered HTTP " + status + (code == null ? "" : " " + code) + ".";
        }
        return new GraphException(problem, detail, connectionId, code, problem == ProblemCode.THROTTLED || problem == ProblemCode.TEMPORARILY_UNAVAILABLE
                ? retryAfter.map(Duration::toSeconds).orElse(problem == ProblemCode.THROTTLED ? 30L : null) : null);
    }

    private static Optional<Duration> retryAfter(ApiException api) {
        if (api.getResponseHeaders() == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, Set<String>> h : api.getResponseHeaders().entrySet()) {
            if ("Retry-After".equalsIgnoreCase(h.getKey()) && !h.getValue().isEmpty()) {
                try {
                    return Optional.of(Duration.ofSeconds(Long.parseLong(h.getValue().iterator().next().trim())));
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** An API error that came from Graph, with Graph's code and, for throttling, the delay to wait. */
    static final class GraphException extends ConnectorException implements Problem.ProblemExtensions {
        private final String graphCode;
        private final Long retryAfterSeconds;

        GraphException(ProblemCode code, String detail, String connectionId, String graphCode, Long retryAfterSeconds) {
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
}
