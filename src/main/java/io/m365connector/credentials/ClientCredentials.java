package io.m365connector.credentials;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.IClientCredential;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Setting;
import io.m365connector.platform.Settings.AppRegistration;
import io.m365connector.platform.Settings.ClientCertificate;
import io.m365connector.platform.Settings.ClientSecret;
import io.m365connector.platform.Settings.FederatedManagedIdentity;
import java.io.ByteArrayInputStream;
import java.util.Objects;

/** The MSAL4J client credential of an app registration, for each kind the settings allow. */
public final class ClientCredentials {
    private final ManagedIdentityTokens identityTokens;

    public ClientCredentials(ManagedIdentityTokens identityTokens) {
        this.identityTokens = Objects.requireNonNull(identityTokens, "'identityTokens' cannot be null.");
    }

    /**
     * A secret; a certificate (MSAL signs each client assertion with its key); or the managed identity's
     * token for the cloud's token-exchange audience, fetched by MSAL4J for every token request it makes
     * (MSAL4J 1.23.1 and later call the callback per request; the identity client caches the token).
     */
    public IClientCredential of(AppRegistration registration) {
        if (registration.credential() instanceof ClientSecret secret) {
            return ClientCredentialFactory.createFromSecret(secret.value());
        }
        if (registration.credential() instanceof FederatedManagedIdentity identity) {
            String audience = registration.cloud().tokenExchangeAudience();
            return ClientCredentialFactory.createFromCallback(() -> identityTokens.token(identity.managedIdentityClientId(), audience));
        }
        ClientCertificate certificate = (ClientCertificate) registration.credential();
        try {
            return ClientCredentialFactory.createFromCertificate(new ByteArrayInputStream(certificate.pkcs12().toArray()), certificate.password());
        } catch (Exception e) {
            throw new ConnectorException(ProblemCode.CONFIGURATION_ERROR, "The certificate in "
                    + Setting.CLIENT_CERTIFICATE.nameFor(registration.cloud())
                    + " cannot be read (" + e.getClass().getSimpleName() + "): it must be a base64 PKCS#12 file with its private key.");
        }
    }
}
