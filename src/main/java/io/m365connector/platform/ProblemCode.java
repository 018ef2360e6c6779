package io.m365connector.platform;

import java.util.Locale;
import java.util.Optional;

/**
 * The stable error codes of the API. Each carries the HTTP status it is answered with, so the status
 * is chosen by the error's type, never by parsing a message. docs/TROUBLESHOOTING.md
 * explains each code to users and administrators.
 */
public enum ProblemCode {
    INVALID_REQUEST(400, "The request is not valid"),
    UNSUPPORTED_MEDIA_TYPE(415, "Unsupported content type"),
    PAYLOAD_TOO_LARGE(413, "Request body too large"),
    NOT_FOUND(404, "Not found"),
    IDEMPOTENCY_KEY_REUSED(422, "Idempotency-Key reused with a different request"),
    REQUEST_IN_PROGRESS(409, "The same request is still in progress"),
    CONSENT_REQUIRED(403, "Consent required"),
    USER_DECLINED(403, "The user declined consent"),
    ADMIN_APPROVAL_REQUIRED(403, "An administrator must approve this app"),
    USER_NOT_ASSIGNED(403, "The user is not assigned to this app"),
    CONDITIONAL_ACCESS_BLOCKED(403, "Blocked by a Conditional Access policy"),
    APP_NOT_IN_TENANT(403, "The app is not available in this tenant"),
    INVALID_CLIENT_CREDENTIALS(500, "The connector's app credentials were rejected"),
    // The app registration's own credential in one cloud (AADSTS codes in EntraErrors): never the user's doing.
    APP_SECRET_EXPIRED(503, "The app registration's client secret has expired"),
    APP_SECRET_INVALID(503, "The app registration refused the client secret"),
    APP_CERTIFICATE_EXPIRED(503, "The app registration's certificate has expired"),
    APP_ASSERTION_INVALID(503, "The app registration refused the client assertion"),
    APP_FEDERATED_CREDENTIAL_NOT_FOUND(503, "No federated credential of the app registration matches the managed identity"),
    APP_MANAGED_IDENTITY_UNAVAILABLE(503, "The managed identity could not issue the client assertion"),
    APP_REGISTRATION_NOT_FOUND(503, "The app registration was not found in its home tenant"),
    APP_DISABLED(503, "The app is disabled"),
    /** An action needed a token and the cloud's app credential was refused: the operator's problem, not the user's. */
    APP_CREDENTIAL_INVALID(503, "The connector's app credential for this cloud is not working"),
    MFA_REQUIRED(403, "Multi-factor authentication required"),
    REAUTH_REQUIRED(409, "The user must connect again"),
    /** Entra ID needs the user at the keyboard (a claims challenge or policy it cannot satisfy silently). */
    INTERACTION_REQUIRED(409, "The user must sign in again to satisfy a policy"),
    /** Signed in, but Entra ID issued no refresh token: the connection would break within the hour. */
    OFFLINE_ACCESS_MISSING(403, "Microsoft Entra ID issued no refresh token"),
    MISSING_PERMISSIONS(403, "Permissions missing for this feature"),
    STATE_INVALID(400, "The sign-in link is no longer valid"),
    /** POST /connections/{id}/completion: the code is not one this connection's sign-in handed out, or it expired. */
    COMPLETION_INVALID(409, "The completion code does not prove a sign-in of this connection"),
    ID_TOKEN_INVALID(400, "The sign-in response could not be verified"),
    ACCOUNT_MISMATCH(409, "Signed in with a different account"),
    /** The sign-in was for one tenant (M365_<CLOUD>_TENANT or the request's tenant id) and the account is not in it. */
    ACCOUNT_NOT_IN_TENANT(403, "The account is not in the organization this sign-in is for"),
    /** The account's tenant lives in another Microsoft cloud than the connection's (AADSTS90038, 900432). */
    TENANT_IN_ANOTHER_CLOUD(403, "The account's organization is in another Microsoft cloud"),
    CLOUD_NOT_ENABLED(400, "This Microsoft 365 cloud is not enabled"),
    SEND_AS_DENIED(403, "Not allowed to send as this mailbox"),
    MAILBOX_ACCESS_DENIED(403, "No access to that mailbox or calendar"),
    THROTTLED(429, "Microsoft 365 is throttling requests"),
    TEMPORARILY_UNAVAILABLE(503, "Temporarily unavailable"),
    KEY_UNAVAILABLE(503, "Token encryption key unavailable"),
    STORAGE_UNAVAILABLE(503, "Storage unavailable"),
    CONFIGURATION_ERROR(500, "The connector is not configured correctly"),
    TOKEN_UNREADABLE(500, "Stored tokens cannot be decrypted"),
    CONCURRENT_UPDATE(409, "The connection was changed by another request"),
    GRAPH_ERROR(502, "Microsoft Graph returned an error"),
    /** The send may or may not have gone out, and sending again could deliver twice: it is not repeated. */
    DELIVERY_UNCONFIRMED(502, "Microsoft Graph did not confirm the delivery"),
    /** Microsoft Graph does not serve that API in the connection's cloud (the detail names the cloud and the alternative). */
    NOT_SUPPORTED_IN_CLOUD(422, "Not available in this Microsoft 365 cloud"),
    INTERNAL_ERROR(500, "Internal error");

    private final int httpStatus;
    private final String title;

    ProblemCode(int httpStatus, String title) {
        this.httpStatus = httpStatus;
        this.title = title;
    }

    /** The code as it appears in problem+json bodies, status responses and notifications. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String title() {
        return title;
    }

    public static Optional<ProblemCode> fromCode(String code) {
        if (code == null) {
            return Optional.empty();
        }
        for (ProblemCode value : values()) {
            if (value.code().equals(code)) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }
}
