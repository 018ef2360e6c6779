package io.m365connector.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.m365connector.connect.Guidance;
import io.m365connector.platform.ProblemCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EntraErrorsTest {
    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "consent_required     | AADSTS65001: The user or administrator has not consented to use the application. | consent_required",
        "access_denied        | AADSTS65004: User declined to consent to access the app.                       | user_declined",
        "access_denied        | the user canceled the authentication                                            | user_declined",
        "access_denied        | AADSTS90094: Admin consent is required for the permissions requested.          | admin_approval_required",
        "access_denied        | AADSTS90095: Admin consent is required for the permissions requested.          | admin_approval_required",
        "invalid_request      | AADSTS50105: The signed in user is not assigned to a role for the application. | user_not_assigned",
        "access_denied        | AADSTS53003: Access has been blocked by Conditional Access policies.           | conditional_access_blocked",
        "interaction_required | AADSTS53000: Device is not in required device state.                           | conditional_access_blocked",
        "access_denied        | AADSTS530003: Your device is required to be managed.                           | conditional_access_blocked",
        "unauthorized_client  | AADSTS700016: Application with identifier 'x' was not found in the directory.  | app_not_in_tenant",
        "invalid_client       | AADSTS7000215: Invalid client secret provided.                                  | app_secret_invalid",
        "invalid_client       | AADSTS7000222: The provided client secret keys are expired.                    | app_secret_expired",
        "invalid_client       | AADSTS700027: Client assertion failed signature validation.                    | app_assertion_invalid",
        "invalid_client       | AADSTS700024: Client assertion is not within its valid time range.             | app_assertion_invalid",
        "invalid_request      | AADSTS70021: No matching federated identity record found for presented assertion. | app_federated_credential_not_found",
        "unauthorized_client  | AADSTS70021: No matching federated identity record found for presented assertion. | app_federated_credential_not_found",
        "invalid_client       | AADSTS700213: No matching federated identity record found for presented assertion subject. | app_federated_credential_not_found",
        "invalid_client       | AADSTS7002138: No matching federated identity record found.                    | app_federated_credential_not_found",
        "unauthorized_client  | AADSTS7000112: Application 'x' is disabled.                                    | app_disabled",
        "invalid_client       | AADSTS7000229: The client application x is missing service principal in the tenant y. | app_registration_not_found",
        "invalid_client       | no number                                                                       | invalid_client_credentials",
        "interaction_required | AADSTS50076: Due to a configuration change you must use MFA.                   | mfa_required",
        "interaction_required | AADSTS50079: The user is required to use multi-factor authentication.         | mfa_required",
        "invalid_grant        | AADSTS70008: The provided authorization code or refresh token has expired.     | reauth_required",
        "invalid_grant        | AADSTS700082: The refresh token has expired due to inactivity.                 | reauth_required",
        "invalid_grant        | AADSTS50173: The provided grant has expired due to it being revoked.           | reauth_required",
        "invalid_grant        | AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access. | reauth_required",
        "invalid_grant        | some other reason                                                               | reauth_required",
        "server_error         | AADSTS50033: A transient error has occurred. Please try again.                  | temporarily_unavailable",
        "temporarily_unavailable | AADSTS90055: The request is throttled temporarily.                           | temporarily_unavailable",
        // smart lockout (60 s and longer) or a sign-in from an IP address Entra ID blocks, which may be the app's own: it passes
        "invalid_grant        | AADSTS50053: You've tried to sign in too many times with an incorrect user ID or password. | temporarily_unavailable",
        "server_error         | no number                                                                       | temporarily_unavailable",
        "something_new        | AADSTS1234567: not in the table                                                 | invalid_request"
    })
    void whenEntraReportsAnErrorThenItMapsToTheStableCode(String error, String description, String expected) {
        assertEquals(expected, EntraErrors.classify(error, description).code());
    }

    @ParameterizedTest
    @CsvSource({"AADSTS50053: The account is locked., TRANSIENT", "AADSTS50033: A transient error has occurred., TRANSIENT",
            "AADSTS50173: The provided grant has expired., PERMANENT"})
    void whenARefreshMeetsTheErrorThenOnlyAGrantThatIsGoneAsksTheUserAgain(String description, RefreshFailure.Kind kind) {
        assertEquals(kind, RefreshFailure.kindOf(EntraErrors.classify("invalid_grant", description)));
    }

    @ParameterizedTest
    @CsvSource({"Trace ID: 1 AADSTS50105: x, 50105", "'AADSTS70008: expired\nTrace', 70008"})
    void whenDescriptionHasAnAadstsNumberThenItIsFound(String text, long number) {
        assertEquals(number, EntraErrors.aadsts(text).getAsLong());
    }

    @ParameterizedTest
    @CsvSource({"CONSENT_REQUIRED", "ADMIN_APPROVAL_REQUIRED", "STATE_INVALID", "TEMPORARILY_UNAVAILABLE", "MISSING_PERMISSIONS"})
    void whenACodeIsShownThenGuidanceExistsForUsersAndAdmins(ProblemCode code) {
        Guidance guidance = Guidance.of(code);
        assertEquals(false, guidance.headline().isBlank());
        assertEquals(false, guidance.forUser().isBlank());
        assertEquals(false, guidance.forAdmin().isBlank());
    }

    /** The operator's log says what went wrong and whose connection, not the user's address (personal data). */
    @Test
    void whenADescriptionNamesTheUserThenTheSummaryLeavesTheAddressOut() {
        String summary = EntraErrors.summary("AADSTS50020: User account 'adele.vance@contoso.com' from identity provider "
                + "'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/' does not exist in tenant 'Fabrikam'.\r\nTrace ID: 1");

        assertEquals("AADSTS50020: User account '<address>' from identity provider 'https://sts.windows.net/72f988bf-86f1-41af-91ab-"
                + "2d7cd011db47/' does not exist in tenant 'Fabrikam'.", summary);
        assertEquals("AADSTS50034: The user account <address> does not exist.",
                EntraErrors.summary("AADSTS50034: The user account partner_fabrikam.com#EXT#@contoso.onmicrosoft.com does not exist."));
    }
}
