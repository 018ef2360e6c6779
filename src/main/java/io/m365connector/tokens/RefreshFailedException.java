package io.m365connector.tokens;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.Problem;
import io.m365connector.platform.ProblemCode;
import java.util.Map;

/**
 * Getting a token failed for a transient reason or because the connector's own app credential was
 * refused ({@code app_credential_invalid}, 503, with the precise {@code appCredentialCode}); the
 * connection stays active and its row says when it is tried again.
 */
public final class RefreshFailedException extends ConnectorException implements Problem.ProblemExtensions {
    /** Without a Retry-After from Entra ID, throttled callers are asked to wait this long. */
    static final long DEFAULT_THROTTLE_SECONDS = 30;

    private final RefreshFailure failure;

    RefreshFailedException(String connectionId, NationalCloud cloud, RefreshFailure failure) {
        super(codeOf(failure), detailOf(cloud, failure), connectionId, null);
        this.failure = failure;
    }

    public RefreshFailure failure() {
        return failure;
    }

    /** Throttling and outages say when to retry (Entra ID's Retry-After, else 30 s for throttling). */
    @Override
    public Map<String, Object> problemExtensions() {
        if (code() == ProblemCode.APP_CREDENTIAL_INVALID) {
            return Map.of("appCredentialCode", failure.code().code());
        }
        if (code() != ProblemCode.THROTTLED && code() != ProblemCode.TEMPORARILY_UNAVAILABLE) {
            return Map.of();
        }
        return failure.retryAfter().<Map<String, Object>>map(d -> Map.of("retryAfterSeconds", d.toSeconds()))
                .orElse(code() == ProblemCode.THROTTLED ? Map.of("retryAfterSeconds", DEFAULT_THROTTLE_SECONDS) : Map.of());
    }

    private static ProblemCode codeOf(RefreshFailure failure) {
        if (failure.kind() == RefreshFailure.Kind.CONFIGURATION) {
            return ProblemCode.APP_CREDENTIAL_INVALID;
        }
        return failure.code() == ProblemCode.THROTTLED ? ProblemCode.THROTTLED : ProblemCode.TEMPORARILY_UNAVAILABLE;
    }

    private static String detailOf(NationalCloud cloud, RefreshFailure failure) {
        return failure.kind() == RefreshFailure.Kind.CONFIGURATION
                ? "The connector's app credential for the " + cloud.id() + " cloud is not working (" + failure.code().code()
                        + "). This is not a problem with the user's connection, which stays active; the operator must fix the "
                        + "credential (GET /api/health shows what to do), then retry."
                : "Microsoft Entra ID could not issue a token right now; try again shortly.";
    }
}
