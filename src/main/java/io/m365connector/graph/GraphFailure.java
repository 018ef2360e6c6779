package io.m365connector.graph;

import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.kiota.ApiException;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.RetryAfter;
import io.m365connector.platform.TextRules;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;

/**
 * A failed Graph call: status (0 when no answer came back), Graph's error code and message,
 * Retry-After, and the claims of a Continuous Access Evaluation challenge. Says what the failure
 * means for sending the request again ({@link Meaning}) and turns into the API's error.
 */
public record GraphFailure(int status, String code, String message, Optional<Duration> retryAfter, Optional<String> claims,
                           boolean neverSent) {
    /**
     * Graph's message and code are Graph's text, of no documented length, and a refusal's detail is a keyed request's
     * stored answer (a Table string holds 64 KiB): cut, so that storing it never fails.
     */
    static final int MAX_MESSAGE_CHARS = 1000;

    public GraphFailure {
        code = TextRules.clipped(code, 200);
        message = TextRules.clipped(message, MAX_MESSAGE_CHARS);
    }

    /** What a failure says about whether Graph carried the request out. */
    public enum Meaning {
        /** Certainly not carried out (no connection, 429, 503): sending again cannot duplicate. */
        NOT_PROCESSED,
        /** 401: the token was refused before anything was done; a new token and one more try. */
        UNAUTHORIZED,
        /** No answer after the request left, or 500/502/504: it may or may not have been carried out. */
        AMBIGUOUS,
        /** Graph refused it for good (4xx): sending it again gets the same answer. */
        REFUSED
    }

    public Meaning meaning() {
        if (status == 0) {
            return neverSent ? Meaning.NOT_PROCESSED : Meaning.AMBIGUOUS;
        }
        if (status == 429 || status == 503) {
            return Meaning.NOT_PROCESSED;
        }
        if (status == 401) {
            return Meaning.UNAUTHORIZED;
        }
        if (status == 500 || status == 502 || status == 504) {
            return Meaning.AMBIGUOUS;
        }
        return status >= 500 ? Meaning.AMBIGUOUS : Meaning.REFUSED;
    }

    /** What the Graph SDK (or the HTTP stack under it) threw. A {@link ConnectorException} in the chain is rethrown as it is. */
    public static GraphFailure of(Throwable error, Clock clock) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectorException known) {
                throw known; // raised by our own token provider inside the SDK (reauth_required, ...)
            }
            if (t instanceof GraphJsonRequests.MissingPathValue unsent) {
                throw unsent; // refused before a byte left: not ambiguous, nothing to retry
            }
            if (t instanceof ApiException api) {
                String code = null;
                String message = api.getMessage();
                if (api instanceof ODataError odata && odata.getError() != null) {
                    code = odata.getError().getCode();
                    message = odata.getError().getMessage();
                }
                Map<String, Set<String>> headers = api.getResponseHeaders();
                return new GraphFailure(api.getResponseStatusCode(), code, message, RetryAfter.fromHeaders(headers, clock),
                        ClaimsChallenge.from(headers), false);
            }
            if (t instanceof IOException io) {
                return new GraphFailure(0, null, io.getClass().getSimpleName(), Optional.empty(), Optional.empty(), neverSent(io));
            }
        }
        return new GraphFailure(0, null, error.getClass().getSimpleName(), Optional.empty(), Optional.empty(), false);
    }

    /** Failures that happen before a byte of the request is written: no connection, no name, no TLS session. */
    private static boolean neverSent(IOException io) {
        if (io instanceof ConnectException || io instanceof UnknownHostException || io instanceof NoRouteToHostException
                || io instanceof SSLHandshakeException) {
            return true;
        }
        return io instanceof SocketTimeoutException && io.getMessage() != null && io.getMessage().contains("connect timed out");
    }

    /** The API error for this failure, with what the caller should do. */
    public ConnectorException toException(String connectionId) {
        ProblemCode problem;
        String detail;
        String graph = code == null ? "" : " (" + code + ")";
        if (status == 429) {
            problem = ProblemCode.THROTTLED;
            detail = "Microsoft Graph is throttling this user or app; retry after the Retry-After delay with the same Idempotency-Key.";
        } else if (meaning() == Meaning.NOT_PROCESSED || meaning() == Meaning.AMBIGUOUS) {
            problem = ProblemCode.TEMPORARILY_UNAVAILABLE;
            detail = "Microsoft Graph did not complete the request (" + (status == 0 ? message : "HTTP " + status) + "); "
                    + "send it again with the same Idempotency-Key.";
        } else if (status == 401) {
            problem = ProblemCode.GRAPH_ERROR;
            detail = "Microsoft Graph refused a freshly issued access token" + graph + ". Send the request again with the same "
                    + "Idempotency-Key; if it keeps failing, the operator should check this cloud's app registration.";
        } else if (status == 403 && "ErrorSendAsDenied".equalsIgnoreCase(code)) {
            problem = ProblemCode.SEND_AS_DENIED;
            detail = "The user may not send as (or on behalf of) that mailbox. An Exchange administrator grants Send As or Send on Behalf.";
        } else if (status == 403) {
            problem = ProblemCode.MAILBOX_ACCESS_DENIED;
            detail = "Microsoft Graph denied access" + graph + ": the user has no access to that mailbox or calendar, or a policy blocks the app.";
        } else if (status == 404) {
            problem = ProblemCode.NOT_FOUND;
            detail = "Microsoft Graph did not find it" + graph + ": check the id and the mailbox.";
        } else if (status == 409) {
            problem = ProblemCode.CONCURRENT_UPDATE;
            detail = "Microsoft Graph reported a conflicting change" + graph + "; send the request again with the same Idempotency-Key.";
        } else if (status == 413) {
            problem = ProblemCode.PAYLOAD_TOO_LARGE;
            detail = "Microsoft Graph refused the size of the request" + graph + ".";
        } else if (status >= 400 && status < 500) {
            problem = ProblemCode.INVALID_REQUEST;
            detail = "Microsoft Graph refused the request" + graph + ": " + message;
        } else {
            problem = ProblemCode.GRAPH_ERROR;
            detail = "Microsoft Graph answered HTTP " + status + graph + ".";
        }
        Long wait = problem == ProblemCode.THROTTLED || problem == ProblemCode.TEMPORARILY_UNAVAILABLE
                ? retryAfter.map(Duration::toSeconds).orElse(problem == ProblemCode.THROTTLED ? 30L : null) : null;
        return new GraphException(problem, detail, connectionId, code, wait, status);
    }
}
