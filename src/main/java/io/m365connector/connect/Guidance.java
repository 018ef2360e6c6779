package io.m365connector.connect;

import io.m365connector.platform.ProblemCode;
import java.util.EnumMap;
import java.util.Map;

/**
 * What to tell people when connecting fails: a headline, what the user can do and what an
 * administrator can do. The same text feeds the HTML pages shown in the browser, the detail of
 * problem+json responses and docs/TROUBLESHOOTING.md.
 */
public final class Guidance {
    private static final Map<ProblemCode, Guidance> TABLE = new EnumMap<>(ProblemCode.class);

    static {
        put(ProblemCode.CONSENT_REQUIRED, "Permission is needed",
                "Connect again and accept the permissions Microsoft asks for.",
                "If users may not consent in your organization, grant consent for the organization (admin consent link).");
        put(ProblemCode.USER_DECLINED, "You chose not to give access",
                "Nothing was connected. If that was a mistake, start again and select Accept on the Microsoft page.",
                "No action needed.");
        put(ProblemCode.ADMIN_APPROVAL_REQUIRED, "Your organization's administrator must approve this app",
                "Send the approval link below to your Microsoft 365 administrator. Once they approve, connect again.",
                "Open the approval link, sign in as a Global, Application or Cloud Application Administrator, review the permissions and accept.");
        put(ProblemCode.ACCOUNT_NOT_IN_TENANT, "Your account is not in the organization this app connects to",
                "Connect again and sign in with your own account in that organization (not as a guest: a guest has no mailbox there).",
                "Sign-in is limited to one tenant (the connection's tenant, M365_<CLOUD>_TENANT by default), and a guest account "
                        + "is refused (it has no mailbox in your tenant). Set the tenant to 'organizations' to let any work account "
                        + "connect from its own organization.");
        put(ProblemCode.TENANT_IN_ANOTHER_CLOUD, "Your organization uses another Microsoft cloud",
                "Your organization's Microsoft 365 is in another Microsoft cloud (for example US Government or the one operated by "
                        + "21Vianet) than the one this connection was started in. Ask the app to connect you in your organization's cloud.",
                "The web app started the connection in the wrong cloud: start it again with the cloud of the user's tenant (global, "
                        + "usgov, usgovdod or china), which must be enabled with that cloud's app registration.");
        put(ProblemCode.USER_NOT_ASSIGNED, "Your account is not allowed to use this app",
                "Ask your administrator to give you access to this app, then connect again.",
                "In Entra ID > Enterprise applications > this app > Users and groups, assign the user (or turn off 'Assignment required').");
        put(ProblemCode.CONDITIONAL_ACCESS_BLOCKED, "Blocked by your organization's sign-in policy",
                "Try again from a device or network your organization allows (for example a managed device or the office network).",
                "A Conditional Access policy blocked the sign-in; the sign-in logs in Entra ID name the policy. Exclude this app or adjust the policy.");
        put(ProblemCode.APP_NOT_IN_TENANT, "This app is not available in your organization",
                "Ask your administrator to approve the app for your organization.",
                "The app is not registered or consented in this tenant (or the cloud is wrong), or this tenant's administrator disabled it "
                        + "(Enterprise applications > the app > Properties > Enabled for users to sign in). Grant admin consent or enable "
                        + "it, and check that the app registration is multi-tenant in this cloud.");
        // The app's own credential failed: the same words for the user whatever the cause; the operator's differ.
        String notSetUp = "The service is not set up correctly";
        String notYou = "This is not a problem with your account. Please tell the app's support team; try again later.";
        put(ProblemCode.INVALID_CLIENT_CREDENTIALS, notSetUp, notYou,
                "Operator: the client secret or certificate of this cloud's app registration was rejected (wrong, expired or revoked). Update M365_<CLOUD>_CLIENT_SECRET or the certificate.");
        put(ProblemCode.APP_SECRET_EXPIRED, notSetUp, notYou,
                "Operator: the client secret of this cloud's app registration has expired. Add a new one (scripts/register-app with --app-id, --features, --audience, --redirect-base and --secret-to-keyvault, as docs/APP-CREDENTIALS.md shows), then refresh the app's Key Vault references and restart it (docs/DEPLOY.md, Client secrets).");
        put(ProblemCode.APP_SECRET_INVALID, notSetUp, notYou,
                "Operator: Entra ID refused this cloud's client secret (wrong value, the secret's id instead of its value, or deleted). Update M365_<CLOUD>_CLIENT_SECRET.");
        put(ProblemCode.APP_CERTIFICATE_EXPIRED, notSetUp, notYou,
                "Operator: the certificate of this cloud's app registration has expired. Upload a new one and update M365_<CLOUD>_CLIENT_CERTIFICATE.");
        put(ProblemCode.APP_ASSERTION_INVALID, notSetUp, notYou,
                "Operator: Entra ID refused the app's client assertion (a certificate not uploaded to the registration, or an expired managed identity token).");
        put(ProblemCode.APP_FEDERATED_CREDENTIAL_NOT_FOUND, notSetUp, notYou,
                "Operator: no federated credential of the app registration matches the app's managed identity (issuer, subject, audience). Add it (docs/APP-REGISTRATION.md).");
        put(ProblemCode.APP_MANAGED_IDENTITY_UNAVAILABLE, notSetUp, notYou,
                "Operator: the managed identity in M365_<CLOUD>_MANAGED_IDENTITY_CLIENT_ID could not issue the client assertion; check it is assigned to the function app.");
        put(ProblemCode.APP_REGISTRATION_NOT_FOUND, notSetUp, notYou,
                "Operator: the app registration or its service principal was not found in its home tenant. Check M365_<CLOUD>_CLIENT_ID and M365_<CLOUD>_HOME_TENANT.");
        put(ProblemCode.APP_DISABLED, notSetUp, notYou,
                "Operator: the app is disabled in its tenant. Enable its service principal (Enterprise applications > the app > Properties).");
        put(ProblemCode.MFA_REQUIRED, "Multi-factor authentication is required",
                "Connect again and complete the multi-factor prompt Microsoft shows you.",
                "No action needed unless users cannot register an MFA method.");
        put(ProblemCode.REAUTH_REQUIRED, "Please connect again",
                "Your Microsoft 365 sign-in expired or was revoked. Connect again to continue.",
                "Sign-ins are revoked by password resets, 'Revoke sessions', disabled accounts and sign-in frequency policies.");
        put(ProblemCode.INTERACTION_REQUIRED, "Please sign in again",
                "Your organization asks you to sign in again (for example after a policy or location change). Connect again to continue.",
                "Microsoft Entra ID answered a Continuous Access Evaluation or Conditional Access challenge with 'interaction required'; the sign-in logs name the policy.");
        put(ProblemCode.OFFLINE_ACCESS_MISSING, "The app could not stay connected",
                "You signed in, but Microsoft did not let the app keep access while you are away. Ask your administrator to approve the app, then connect again.",
                "Entra ID issued no refresh token: the app registration must be allowed the delegated permission offline_access "
                        + "('Maintain access to data you have given it access to'). Grant it (admin consent link) or allow users to consent to it.");
        put(ProblemCode.MISSING_PERMISSIONS, "Some permissions were not granted",
                "The connection works, but not every feature you chose. Connect again and accept all permissions, or ask your administrator.",
                "Grant the missing permissions for the organization with the admin consent link.");
        put(ProblemCode.STATE_INVALID, "This sign-in link can't be used",
                "The link expired, was already used, or was opened in a different browser. Go back to the app and start connecting again.",
                "No action needed.");
        put(ProblemCode.ID_TOKEN_INVALID, "The sign-in response could not be verified",
                "Go back to the app and start connecting again.",
                "The ID token from Microsoft did not match this app, cloud or sign-in attempt; check the app registration and M365_<CLOUD>_CLIENT_ID.");
        put(ProblemCode.ACCOUNT_MISMATCH, "You signed in with a different account",
                "This connection belongs to another Microsoft 365 account. Connect again and sign in with that account, or disconnect first.",
                "No action needed.");
        put(ProblemCode.TEMPORARILY_UNAVAILABLE, "Microsoft 365 is temporarily unavailable",
                "Wait a few minutes and connect again.",
                "Entra ID reported a transient error (throttling or an outage); check the Microsoft 365 service health page if it persists.");
        put(ProblemCode.CLOUD_NOT_ENABLED, "This Microsoft 365 cloud is not supported here",
                "Ask the app's support team whether your organization's cloud can be enabled.",
                "Operator: add the cloud to M365_CLOUDS with its app registration settings.");
        put(ProblemCode.INVALID_REQUEST, "Microsoft could not complete the sign-in",
                "Go back to the app and try again. If it keeps failing, tell the app's support team.",
                "Check the app registration: redirect URI, supported account types and API permissions.");
    }

    private final String headline;
    private final String forUser;
    private final String forAdmin;

    private Guidance(String headline, String forUser, String forAdmin) {
        this.headline = headline;
        this.forUser = forUser;
        this.forAdmin = forAdmin;
    }

    private static void put(ProblemCode code, String headline, String forUser, String forAdmin) {
        TABLE.put(code, new Guidance(headline, forUser, forAdmin));
    }

    public static Guidance of(ProblemCode code) {
        Guidance g = TABLE.get(code);
        return g != null ? g : new Guidance(code.title(), "Go back to the app and try again later.",
                "See the connector's logs for code " + code.code() + ".");
    }

    public static Map<ProblemCode, Guidance> all() {
        return Map.copyOf(TABLE);
    }

    public String headline() {
        return headline;
    }

    public String forUser() {
        return forUser;
    }

    public String forAdmin() {
        return forAdmin;
    }
}
