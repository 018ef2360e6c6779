package io.m365connector.functions;

import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatusType;
import io.m365connector.connect.ResultPage;
import io.m365connector.idempotency.StoredProblem;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Json;
import io.m365connector.platform.Problem;
import io.m365connector.platform.ProblemCode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Maps service results and errors to HTTP: JSON bodies, problem+json errors, no caching. */
final class HttpResponses {
    private static final Logger LOG = Logger.getLogger(HttpResponses.class.getName());
    private static final String REPLAYED = "Idempotent-Replayed";

    private HttpResponses() {
    }

    static HttpResponseMessage json(HttpRequestMessage<?> request, int status, Object body) {
        return json(request, status, body, false);
    }

    /** JSON; {@code replayed} adds {@code Idempotent-Replayed: true} (the stored outcome of an earlier request with the same key). */
    static HttpResponseMessage json(HttpRequestMessage<?> request, int status, Object body, boolean replayed) {
        HttpResponseMessage.Builder builder = request.createResponseBuilder(HttpStatusType.custom(status))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Cache-Control", "no-store");
        if (replayed) {
            builder.header(REPLAYED, "true");
        }
        return builder.body(Json.write(body)).build();
    }

    /**
     * A file for download: its bytes as they are, never rendered by a browser in the API's origin
     * ({@code attachment} disposition, nosniff, a sandboxing CSP), the name encoded per RFC 6266/5987.
     */
    static HttpResponseMessage download(HttpRequestMessage<?> request, String contentType, String name, byte[] content) {
        String safeName = name == null || name.isBlank() ? "attachment" : name;
        String ascii = safeName.replaceAll("[^A-Za-z0-9._ -]", "_");
        return request.createResponseBuilder(HttpStatusType.custom(200))
                .header("Content-Type", contentType.matches("[\\w.+-]+/[\\w.+-]+") ? contentType : "application/octet-stream")
                .header("Content-Disposition", "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''"
                        + URLEncoder.encode(safeName, StandardCharsets.UTF_8).replace("+", "%20"))
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", "sandbox; default-src 'none'")
                .header("Cache-Control", "no-store")
                .body(content)
                .build();
    }

    /** A page for the browser: no caching, no framing, no referrer, no external content. */
    static HttpResponseMessage html(HttpRequestMessage<?> request, int status, String html) {
        return browserHeaders(request.createResponseBuilder(HttpStatusType.custom(status)))
                .header("Content-Type", "text/html; charset=utf-8")
                .body(html)
                .build();
    }

    /** A page for the browser that also says when to come back (503). */
    static HttpResponseMessage html(HttpRequestMessage<?> request, int status, String html, int retryAfterSeconds) {
        return browserHeaders(request.createResponseBuilder(HttpStatusType.custom(status)))
                .header("Content-Type", "text/html; charset=utf-8")
                .header("Retry-After", String.valueOf(retryAfterSeconds))
                .body(html)
                .build();
    }

    static HttpResponseMessage redirect(HttpRequestMessage<?> request, String location, String setCookie) {
        HttpResponseMessage.Builder builder = browserHeaders(request.createResponseBuilder(HttpStatusType.custom(302)))
                .header("Location", location);
        if (setCookie != null) {
            builder.header("Set-Cookie", setCookie);
        }
        return builder.build();
    }

    private static HttpResponseMessage.Builder browserHeaders(HttpResponseMessage.Builder builder) {
        return builder.header("Cache-Control", "no-store")
                .header("Content-Security-Policy", ResultPage.CONTENT_SECURITY_POLICY)
                .header("Referrer-Policy", "no-referrer")
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY");
    }

    static HttpResponseMessage problem(HttpRequestMessage<?> request, Problem problem) {
        return problem(request, problem, false);
    }

    private static HttpResponseMessage problem(HttpRequestMessage<?> request, Problem problem, boolean replayed) {
        HttpResponseMessage.Builder builder = request.createResponseBuilder(HttpStatusType.custom(problem.status()))
                .header("Content-Type", Problem.MEDIA_TYPE)
                .header("Cache-Control", "no-store");
        if (replayed) {
            builder.header(REPLAYED, "true");
        }
        Object retryAfter = problem.extensionMembers().get("retryAfterSeconds");
        if (retryAfter != null) {
            builder.header("Retry-After", retryAfter.toString());
        }
        return builder.body(Json.write(problem)).build();
    }

    /**
     * Runs an API function's handler: its answer, or the problem answer for whatever it threw. Every
     * function key route goes through here, so an error is mapped to HTTP in one place.
     */
    static HttpResponseMessage answer(HttpRequestMessage<?> request, Supplier<HttpResponseMessage> handler) {
        try {
            return handler.get();
        } catch (RuntimeException e) {
            return problem(request, e);
        }
    }

    /**
     * The one place API errors become responses. Known errors keep their code and detail; anything
     * else is logged once here (type only, never a message that might carry data) and answered 500.
     */
    static HttpResponseMessage problem(HttpRequestMessage<?> request, RuntimeException error) {
        if (error instanceof ConnectorException known) {
            if (known.code().httpStatus() >= 500) {
                LOG.log(Level.WARNING, known.code().code() + ": " + known.detail());
            }
            return problem(request, Problem.of(known), known instanceof StoredProblem);
        }
        LOG.log(Level.SEVERE, "Unexpected " + error.getClass().getName() + " at " + firstFrame(error));
        return problem(request, Problem.of(ProblemCode.INTERNAL_ERROR,
                "Something went wrong inside the connector. Try again; if it persists, the operator can find the error in the logs."));
    }

    private static String firstFrame(Throwable error) {
        StackTraceElement[] trace = error.getStackTrace();
        return trace.length == 0 ? "?" : trace[0].toString();
    }
}
