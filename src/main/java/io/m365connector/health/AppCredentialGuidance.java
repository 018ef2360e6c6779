package io.m365connector.health;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.credentials.AppCredentialStatus;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Setting;
import io.m365connector.platform.Settings.AppCredentialPolicy;
import io.m365connector.platform.Settings.AppRegistration;
import io.m365connector.platform.Settings.ClientCertificate;
import io.m365connector.platform.Settings.ClientSecret;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * What the operator does about a cloud's app credential, in the words of the health report and the
 * log (docs/TROUBLESHOOTING.md's "App credential" rows say the same). Names settings, never their values.
 */
public final class AppCredentialGuidance {
    private static final String ROTATE_SECRET = "Rotate: add a second secret (%s), "
            + "let the app pick it up (restart or refresh the Key Vault references), then delete the old secret (docs/APP-CREDENTIALS.md, Rotating without downtime).";
    private static final String ROTATE_CERTIFICATE = "Rotate: upload a new certificate to the app registration, import it into Key Vault as a "
            + "new version of the certificate behind %s, restart, then remove the old certificate from the registration.";

    private AppCredentialGuidance() {
    }

    static String of(AppRegistration registration, AppCredentialStatus status, AppCredentialPolicy policy) {
        NationalCloud cloud = registration.cloud();
        return switch (status.state()) {
            case OK -> "Working" + expiry(status) + ". Nothing to do.";
            case EXPIRING, EXPIRING_SOON -> "Working, but it expires" + expiry(status) + (status.expiresAt() == null ? "" : " ("
                    + daysLeft(status.expiresAt(), status.checkedAt()) + " days)") + ". " + rotation(registration);
            case INVALID -> invalid(registration, status.code());
            case UNKNOWN -> status.lastCheckCode() == null
                    ? "Not checked: set " + Setting.HOME_TENANT.nameFor(cloud) + " to have the credential tested"
                            + (registration.credential() instanceof ClientSecret ? " and " + Setting.CLIENT_SECRET_KEY_VAULT_URL.nameFor(cloud)
                                    + " (or " + Setting.CLIENT_SECRET_EXPIRES.nameFor(cloud) + ") for expiry warnings" : "") + "."
                    : "Microsoft Entra ID could not be asked (" + status.lastCheckCode() + "); the check runs again within "
                            + policy.checkInterval().toMinutes() + " minutes.";
        };
    }

    /** Whole days from {@code now} to {@code expiresAt}, rounded down; negative once past. */
    static long daysLeft(Instant expiresAt, Instant now) {
        return Math.floorDiv(Duration.between(now, expiresAt).toSeconds(), 86_400L);
    }

    private static String rotation(AppRegistration registration) {
        if (registration.credential() instanceof ClientCertificate) {
            return String.format(ROTATE_CERTIFICATE, Setting.CLIENT_CERTIFICATE.nameFor(registration.cloud()));
        }
        return String.format(ROTATE_SECRET, newSecretCommand(registration.cloud()));
    }

    /**
     * The register-app run that adds a secret to this cloud's registration: named by its id, so it can never create another
     * one (by name the script creates a registration it does not find); the features and base URL it was registered with
     * (the script adds what is missing) and its audience (the script sets it: left out, a single-tenant one became multi-tenant).
     */
    public static String newSecretCommand(NationalCloud cloud) {
        return "scripts/register-app --cloud " + cloud.id() + " --app-id <the value of " + Setting.CLIENT_ID.nameFor(cloud)
                + "> --features <the features it was registered with> --audience <single or multi, as it was registered> --redirect-base <PUBLIC_BASE_URL>"
                + " --secret-to-keyvault <vault>";
    }

    private static String expiry(AppCredentialStatus status) {
        return status.expiresAt() == null ? "" : " on " + LocalDate.ofInstant(status.expiresAt(), ZoneOffset.UTC);
    }

    private static String invalid(AppRegistration registration, ProblemCode code) {
        NationalCloud cloud = registration.cloud();
        String fix = switch (code) {
            case APP_SECRET_EXPIRED -> "The client secret has expired. Add a new secret (" + newSecretCommand(cloud) + "), then refresh the app's Key Vault references and restart it (docs/DEPLOY.md, Client secrets).";
            case APP_SECRET_INVALID -> "Microsoft Entra ID refused the client secret (a wrong value, the secret's id instead of its value, or "
                    + "a deleted secret). Put a valid secret in " + Setting.CLIENT_SECRET.nameFor(cloud) + ", then refresh the app's Key Vault references and restart it (docs/DEPLOY.md, Client secrets).";
            case APP_CERTIFICATE_EXPIRED -> "The certificate has expired. Upload a new one to the app registration and to "
                    + Setting.CLIENT_CERTIFICATE.nameFor(cloud) + ", then refresh the app's Key Vault references and restart it (docs/DEPLOY.md, Client secrets).";
            case APP_ASSERTION_INVALID -> registration.credential() instanceof ClientCertificate
                    ? "Microsoft Entra ID refused the certificate (not uploaded to this app registration, another key, or expired). Upload "
                            + "the certificate of " + Setting.CLIENT_CERTIFICATE.nameFor(cloud) + " to the registration."
                    : "Microsoft Entra ID refused the managed identity's token as client assertion (expired, or issued for another audience).";
            case APP_FEDERATED_CREDENTIAL_NOT_FOUND -> "No federated credential of the app registration matches this app's managed identity. "
                    + "Add it: az ad app federated-credential create with issuer https://" + cloud.authorityHost() + "/<tenant id>/v2.0, "
                    + "subject the identity's principal id and audience " + cloud.tokenExchangeAudience()
                    + " (docs/APP-REGISTRATION.md); a new one can take a few minutes to apply.";
            case APP_MANAGED_IDENTITY_UNAVAILABLE -> "The managed identity in " + Setting.MANAGED_IDENTITY_CREDENTIAL.nameFor(cloud)
                    + " could not issue the client assertion: check that this user-assigned identity is assigned to the function app.";
            case APP_REGISTRATION_NOT_FOUND -> "The app registration was not found in its home tenant " + Setting.HOME_TENANT.nameFor(cloud)
                    + ": check " + Setting.CLIENT_ID.nameFor(cloud) + " and the tenant id; az ad sp create --id <client id> creates a missing "
                    + "service principal.";
            case APP_DISABLED -> "The app is disabled in its home tenant: enable its service principal (az ad sp update --id <client id> --set "
                    + "accountEnabled=true, or Enterprise applications > the app > Properties).";
            default -> "Microsoft Entra ID refused the app's credential (" + code.code() + "). Check " + Setting.CLIENT_ID.nameFor(cloud)
                    + " and the credential settings.";
        };
        return fix + " Until then connections of this cloud stay active and are retried; actions answer app_credential_invalid.";
    }
}
