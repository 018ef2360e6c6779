package io.m365connector.tokens;

import com.microsoft.aad.msal4j.MsalClientException;
import com.microsoft.aad.msal4j.MsalServiceException;
import io.m365connector.credentials.AssertionUnavailableException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.RetryAfter;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Why getting a token for a connection failed, and what that means. The policy is one table from
 * stable code to kind; the same table decides the connection's status, retries and notifications:
 * <ul>
 *   <li>{@link Kind#PERMANENT}: the refresh token no longer works; the user must connect again
 *       (status needs_reauth, never retried blindly).</li>
 *   <li>{@link Kind#TRANSIENT}: Entra ID or the network failed; retry later with backoff, the
 *       connection stays active.</li>
 *   <li>{@link Kind#CONFIGURATION}: the connector's own app credential was refused (or the managed
 *       identity could not supply it); no user can fix it, so connections stay active, are retried at
 *       most {@link RefreshOutcomes#CONFIGURATION_RETRY_MAX} apart until it works again, and the operator
 *       is told (credential health).</li>
 * </ul>
 */
public record RefreshFailure(Kind kind, ProblemCode code, Optional<Duration> retryAfter, String summary) {
    public enum Kind { TRANSIENT, PERMANENT, CONFIGURATION }

    /** Stable code -> kind; codes not listed are transient. */
    static final Map<ProblemCode, Kind> POLICY = new EnumMap<>(Map.ofEntries(
            Map.entry(ProblemCode.REAUTH_REQUIRED, Kind.PERMANENT),
            Map.entry(ProblemCode.INTERACTION_REQUIRED, Kind.PERMANENT),
            Map.entry(ProblemCode.CONSENT_REQUIRED, Kind.PERMANENT),
            Map.entry(ProblemCode.MFA_REQUIRED, Kind.PERMANENT),
            Map.entry(ProblemCode.USER_NOT_ASSIGNED, Kind.PERMANENT),
            Map.entry(ProblemCode.ACCOUNT_NOT_IN_TENANT, Kind.PERMANENT),
            Map.entry(ProblemCode.CONDITIONAL_ACCESS_BLOCKED, Kind.PERMANENT),
            Map.entry(ProblemCode.ADMIN_APPROVAL_REQUIRED, Kind.PERMANENT),
            Map.entry(ProblemCode.USER_DECLINED, Kind.PERMANENT),
            Map.entry(ProblemCode.APP_NOT_IN_TENANT, Kind.PERMANENT),
            Map.entry(ProblemCode.TOKEN_UNREADABLE, Kind.PERMANENT),
            Map.entry(ProblemCode.INVALID_CLIENT_CREDENTIALS, Kind.CONFIGURATION),
            Map.entry(ProblemCode.APP_SECRET_EXPIRED, Kind.CONFIGURATION),
            Map.entry(ProblemCode.APP_SECRET_INVALID, Kind.CONFIGURATION),
            Map.entry(ProblemCode.APP_CERTIFICATE_EXPIRED, Kind.CONFIGURATION),
            Map.entry(ProblemCode.APP_ASSERTION_INVALID, Kind.CONFIGURATION),
            Map.entry(ProblemCode.APP_FEDERATED_CREDENTIAL_NOT_FOUND, Kind.CONFIGURATION),
            Map.entry(ProblemCode.APP_MANAGED_IDENTITY_UNAVAILABLE, Kind.CONFIGURATION),
            Map.entry(ProblemCode.APP_REGISTRATION_NOT_FOUND, Kind.CONFIGURATION),
            Map.entry(ProblemCode.APP_DISABLED, Kind.CONFIGURATION),
            Map.entry(ProblemCode.TEMPORARILY_UNAVAILABLE, Kind.TRANSIENT),
            Map.entry(ProblemCode.THROTTLED, Kind.TRANSIENT)));

    /** The kind a code has under the policy; codes not in the table are transient (retried with backoff, never a false needs_reauth). */
    public static Kind kindOf(ProblemCode code) {
        return POLICY.getOrDefault(code, Kind.TRANSIENT);
    }

    /** Classifies what MSAL threw (unwrapping future wrappers). */
    public static RefreshFailure classify(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof MsalServiceException service) {
            Integer status = service.statusCode();
            ProblemCode code;
            if (status != null && status == 429) {
                code = ProblemCode.THROTTLED;
            } else if (status != null && status >= 500) {
                code = ProblemCode.TEMPORARILY_UNAVAILABLE;
            } else {
                code = EntraErrors.classify(service.errorCode(), service.getMessage());
                if (code == ProblemCode.INVALID_REQUEST) {
                    code = ProblemCode.TEMPORARILY_UNAVAILABLE;
                }
            }
            return new RefreshFailure(kindOf(code), code, RetryAfter.fromHeaders(service.headers(), Clock.systemUTC()),
                    service.errorCode() + ": " + EntraErrors.summary(service.getMessage()));
        }
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof AssertionUnavailableException unavailable) {
                return new RefreshFailure(Kind.CONFIGURATION, ProblemCode.APP_MANAGED_IDENTITY_UNAVAILABLE, Optional.empty(),
                        unavailable.getMessage());
            }
        }
        if (cause instanceof MsalClientException client && client.errorCode() != null
                && (client.errorCode().contains("cache") || client.errorCode().contains("account"))) {
            return new RefreshFailure(Kind.PERMANENT, ProblemCode.REAUTH_REQUIRED, Optional.empty(),
                    "no usable refresh token in the stored cache (" + client.errorCode() + ")");
        }
        return new RefreshFailure(Kind.TRANSIENT, ProblemCode.TEMPORARILY_UNAVAILABLE, Optional.empty(),
                cause == null ? "unknown" : cause.getClass().getSimpleName());
    }
}
