package io.m365connector.credentials;

import io.m365connector.platform.Secrets;
import io.m365connector.platform.Settings.AppRegistration;
import io.m365connector.platform.Settings.ClientCertificate;
import io.m365connector.platform.Settings.ClientSecret;
import io.m365connector.platform.Settings.FederatedManagedIdentity;
import java.util.Base64;

/**
 * Names one app credential configuration of a cloud, so a stored credential check is trusted only by
 * instances configured the same way: client id, credential kind, which secret, certificate or managed
 * identity, home tenant and expiry sources. A new secret, a fixed home tenant or another certificate is
 * a new configuration: it is checked at once instead of inheriting the old one's verdict, and two
 * instances with different configurations (a rolling deployment) keep apart records.
 */
public final class CredentialConfiguration {
    private CredentialConfiguration() {
    }

    /** 16 characters (base64url) of a SHA-256 over the configuration; the secret and certificate enter only as their own SHA-256. */
    public static String fingerprint(AppRegistration registration) {
        StringBuilder parts = new StringBuilder()
                .append(registration.cloud().id()).append('\n')
                .append(registration.clientId()).append('\n')
                .append(registration.credential().kind()).append('\n')
                .append(material(registration)).append('\n')
                .append(registration.check().homeTenant().orElse("")).append('\n')
                .append(registration.check().secretExpires().map(Object::toString).orElse("")).append('\n')
                .append(registration.check().secretKeyVaultUrl().map(Object::toString).orElse(""));
        return Secrets.sha256(parts.toString()).substring(0, 16);
    }

    private static String material(AppRegistration registration) {
        if (registration.credential() instanceof ClientSecret secret) {
            return Secrets.sha256(secret.value());
        }
        if (registration.credential() instanceof ClientCertificate certificate) {
            return Secrets.sha256(Base64.getEncoder().encodeToString(certificate.pkcs12().toArray()));
        }
        return ((FederatedManagedIdentity) registration.credential()).managedIdentityClientId();
    }
}
