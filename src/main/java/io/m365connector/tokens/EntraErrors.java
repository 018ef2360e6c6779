package io.m365connector.tokens;

import com.microsoft.aad.msal4j.MsalServiceException;
import io.m365connector.platform.ProblemCode;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns what Entra ID says went wrong (the {@code error} of an authorize redirect, or a token
 * endpoint error whose description starts with {@code AADSTSnnnn}) into the stable codes of this
 * API. The AADSTS number decides when there is one; the OAuth {@code error} otherwise.
 */
public final class EntraErrors {
    private static final Pattern AADSTS = Pattern.compile("AADSTS(\\d{4,7})");
    /** An email address or UPN in a description (also a guest's {@code name_domain#EXT#@tenant}). */
    private static final Pattern ADDRESS = Pattern.compile("[^\\s'\"<>@]+@[^\\s'\"<>@]+\\.[^\\s'\"<>@.]+");

    /** AADSTS number -> code. One table, also used by token maintenance to classify refresh failures. */
    static final Map<Long, ProblemCode> BY_AADSTS = Map.ofEntries(
            Map.entry(65001L, ProblemCode.CONSENT_REQUIRED),
            Map.entry(65004L, ProblemCode.USER_DECLINED),
            // 90093: "a policy set by your administrator prevents you from granting" / permissions "you are not authorized to
            // grant" (Learn: Unexpected error when performing consent to an application): the same way out as 90094
            Map.entry(90093L, ProblemCode.ADMIN_APPROVAL_REQUIRED),
            Map.entry(90094L, ProblemCode.ADMIN_APPROVAL_REQUIRED),
            Map.entry(90095L, ProblemCode.ADMIN_APPROVAL_REQUIRED),
            Map.entry(50105L, ProblemCode.USER_NOT_ASSIGNED),
            Map.entry(50020L, ProblemCode.ACCOUNT_NOT_IN_TENANT),
            // 90038 NationalCloudTenantRedirection ("the specified tenant belongs to the National Cloud X") and 900432
            // (confidential client not supported in a cross-cloud request): Learn, Microsoft Entra error code reference
            Map.entry(90038L, ProblemCode.TENANT_IN_ANOTHER_CLOUD),
            Map.entry(900432L, ProblemCode.TENANT_IN_ANOTHER_CLOUD),
            Map.entry(53000L, ProblemCode.CONDITIONAL_ACCESS_BLOCKED),
            Map.entry(53001L, ProblemCode.CONDITIONAL_ACCESS_BLOCKED),
            Map.entry(53002L, ProblemCode.CONDITIONAL_ACCESS_BLOCKED),
            Map.entry(53003L, ProblemCode.CONDITIONAL_ACCESS_BLOCKED),
            Map.entry(53004L, ProblemCode.CONDITIONAL_ACCESS_BLOCKED),
            Map.entry(530002L, ProblemCode.CONDITIONAL_ACCESS_BLOCKED),
            Map.entry(530003L, ProblemCode.CONDITIONAL_ACCESS_BLOCKED),
            Map.entry(530004L, ProblemCode.CONDITIONAL_ACCESS_BLOCKED),
            Map.entry(530034L, ProblemCode.CONDITIONAL_ACCESS_BLOCKED),
            Map.entry(530035L, ProblemCode.CONDITIONAL_ACCESS_BLOCKED),
            Map.entry(700016L, ProblemCode.APP_NOT_IN_TENANT),
            // The app's own credential (Microsoft Entra error code reference; 700024, 700213, 7002137/8 and
            // 7000229 from Entra's answers as reported in public issues, they are not in that table).
            Map.entry(7000215L, ProblemCode.APP_SECRET_INVALID),
            Map.entry(7000222L, ProblemCode.APP_SECRET_EXPIRED),
            Map.entry(700027L, ProblemCode.APP_ASSERTION_INVALID),
            Map.entry(700024L, ProblemCode.APP_ASSERTION_INVALID),
            Map.entry(70021L, ProblemCode.APP_FEDERATED_CREDENTIAL_NOT_FOUND),
            Map.entry(700213L, ProblemCode.APP_FEDERATED_CREDENTIAL_NOT_FOUND),
            Map.entry(7002137L, ProblemCode.APP_FEDERATED_CREDENTIAL_NOT_FOUND),
            Map.entry(7002138L, ProblemCode.APP_FEDERATED_CREDENTIAL_NOT_FOUND),
            Map.entry(7000112L, ProblemCode.APP_DISABLED),
            Map.entry(7000229L, ProblemCode.APP_REGISTRATION_NOT_FOUND),
            Map.entry(50011L, ProblemCode.INVALID_CLIENT_CREDENTIALS),
            Map.entry(50076L, ProblemCode.MFA_REQUIRED),
            Map.entry(50079L, ProblemCode.MFA_REQUIRED),
            Map.entry(50074L, ProblemCode.MFA_REQUIRED),
            Map.entry(70008L, ProblemCode.REAUTH_REQUIRED),
            Map.entry(700082L, ProblemCode.REAUTH_REQUIRED),
            Map.entry(700084L, ProblemCode.REAUTH_REQUIRED),
            Map.entry(50173L, ProblemCode.REAUTH_REQUIRED),
            Map.entry(70043L, ProblemCode.REAUTH_REQUIRED),
            Map.entry(50078L, ProblemCode.REAUTH_REQUIRED),
            Map.entry(50133L, ProblemCode.REAUTH_REQUIRED),
            Map.entry(50057L, ProblemCode.REAUTH_REQUIRED),
            Map.entry(54005L, ProblemCode.STATE_INVALID),
            Map.entry(501481L, ProblemCode.STATE_INVALID),
            Map.entry(50033L, ProblemCode.TEMPORARILY_UNAVAILABLE),
            // IdsLocked: smart lockout after repeated failed sign-ins (60 s, then longer), or a sign-in from an IP address with
            // malicious activity, which may be the app's own outbound address: it passes, so a refresh is retried, not refused
            Map.entry(50053L, ProblemCode.TEMPORARILY_UNAVAILABLE),
            Map.entry(90055L, ProblemCode.TEMPORARILY_UNAVAILABLE),
            Map.entry(50196L, ProblemCode.TEMPORARILY_UNAVAILABLE),
            Map.entry(90033L, ProblemCode.TEMPORARILY_UNAVAILABLE));

    /** OAuth {@code error} values -> code, for responses without a known AADSTS number. */
    static final Map<String, ProblemCode> BY_ERROR = Map.ofEntries(
            Map.entry("access_denied", ProblemCode.USER_DECLINED),
            Map.entry("consent_required", ProblemCode.CONSENT_REQUIRED),
            Map.entry("interaction_required", ProblemCode.INTERACTION_REQUIRED),
            Map.entry("login_required", ProblemCode.REAUTH_REQUIRED),
            Map.entry("invalid_grant", ProblemCode.REAUTH_REQUIRED),
            Map.entry("invalid_client", ProblemCode.INVALID_CLIENT_CREDENTIALS),
            Map.entry("unauthorized_client", ProblemCode.APP_NOT_IN_TENANT),
            Map.entry("server_error", ProblemCode.TEMPORARILY_UNAVAILABLE),
            Map.entry("temporarily_unavailable", ProblemCode.TEMPORARILY_UNAVAILABLE));

    private EntraErrors() {
    }

    /** Classifies an {@code error} + {@code error_description} pair (authorize redirect or token endpoint). */
    public static ProblemCode classify(String error, String description) {
        OptionalLong number = aadsts(description);
        if (number.isPresent()) {
            ProblemCode byNumber = BY_AADSTS.get(number.getAsLong());
            if (byNumber != null) {
                return byNumber;
            }
        }
        String normalized = error == null ? "" : error.trim().toLowerCase(Locale.ROOT);
        return Optional.ofNullable(BY_ERROR.get(normalized)).orElse(ProblemCode.INVALID_REQUEST);
    }

    /**
     * What a code redemption's refusal means. An answer without an OAuth error (a plain-text 429 or 5xx from Entra ID or a
     * gateway: MSAL4J reads it as {@code invalid_json}, or {@code unknown} without a body, and gives no status) is Entra ID
     * being busy, not the app registration being wrong, which {@link #classify}'s {@code invalid_request} would tell the user.
     */
    public static ProblemCode ofRedemption(MsalServiceException refusal) {
        ProblemCode code = classify(refusal.errorCode(), refusal.getMessage());
        Integer status = refusal.statusCode();
        return code == ProblemCode.INVALID_REQUEST && (status == null || status == 429 || status >= 500) ? ProblemCode.TEMPORARILY_UNAVAILABLE
                : code;
    }

    /** The first AADSTS number in a text, if any. */
    public static OptionalLong aadsts(String text) {
        if (text == null) {
            return OptionalLong.empty();
        }
        Matcher m = AADSTS.matcher(text);
        return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    /**
     * Entra ID's description up to the first line end, with its AADSTS number, for the operator's log.
     * Descriptions carry no secrets but can carry trace and correlation ids, which help support, and a user's address
     * ("User account 'adele@contoso.com' from identity provider …", AADSTS50020, 50034), which the log leaves out: the
     * connection id says whose sign-in it was.
     */
    public static String summary(String description) {
        if (description == null) {
            return "";
        }
        String firstLine = ADDRESS.matcher(description.lines().findFirst().orElse("")).replaceAll("<address>");
        return firstLine.length() > 300 ? firstLine.substring(0, 300) : firstLine;
    }
}
