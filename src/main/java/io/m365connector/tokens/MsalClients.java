package io.m365connector.tokens;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.IHttpClient;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.CallingThreadExecutor;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.platform.Setting;
import io.m365connector.platform.Settings.AppRegistration;
import io.m365connector.platform.Settings.ClientCertificate;
import io.m365connector.platform.Settings.ClientSecret;
import io.m365connector.platform.Settings;
import java.io.ByteArrayInputStream;
import java.net.MalformedURLException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds MSAL4J confidential clients, one app registration per Microsoft 365 cloud, all on the shared
 * HTTP stack. Each call returns a new application with an empty token cache: a connection's cache is
 * loaded into it, used and saved back, so users' tokens never mix in a shared in-memory cache
 * (construction costs well under a millisecond; the parsed client credential is reused).
 */
public final class MsalClients {
    /** Client capabilities declared on every token request. */
    static final Set<String> CLIENT_CAPABILITIES = Set.of("cp1");

    private final Settings settings;
    private final IHttpClient http;
    private final Map<NationalCloud, IClientCredential> credentials = new ConcurrentHashMap<>();

    public MsalClients(Settings settings, IHttpClient http) {
        this.settings = settings;
        this.http = http;
    }

    /** The registration of an enabled cloud; a clear 400 for a cloud this deployment does not serve. */
    public AppRegistration registration(NationalCloud cloud) {
        return settings.registration(cloud).orElseThrow(() -> new ConnectorException(ProblemCode.CLOUD_NOT_ENABLED,
                "The " + cloud.id() + " cloud is not enabled in this deployment. Enabled: "
                        + settings.enabledClouds().stream().map(NationalCloud::id).toList()
                        + ". An operator adds it to M365_CLOUDS with its app registration."));
    }

    /**
     * A fresh confidential client for {@code cloud} with the given tenant in its authority, whose token
     * cache is {@code cache} (one connection's tokens).
     */
    public ConfidentialClientApplication newApp(NationalCloud cloud, String tenant, TokenCacheSlot cache) {
        AppRegistration registration = registration(cloud);
        try {
            return ConfidentialClientApplication.builder(registration.clientId(), credential(registration))
                    .authority(cloud.authorityUrl(tenant))
                    // The authority hosts are in MSAL's built-in metadata: no discovery call to the global cloud.
                    .instanceDiscovery(false)
                    .httpClient(http)
                    // Callers block on MSAL's futures at once: run its work in their thread.
                    .executorService(CallingThreadExecutor.INSTANCE)
                    // cp1: Graph sends Continuous Access Evaluation claims challenges (instead of failing
                    // silently) and may issue long-lived tokens that are revoked by such challenges.
                    .clientCapabilities(CLIENT_CAPABILITIES)
                    .setTokenCacheAccessAspect(cache)
                    .build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("Invalid tenant '" + tenant + "'", e);
        }
    }

    private IClientCredential credential(AppRegistration registration) {
        return credentials.computeIfAbsent(registration.cloud(), cloud -> {
            if (registration.credential() instanceof ClientSecret secret) {
                return ClientCredentialFactory.createFromSecret(secret.value());
            }
            ClientCertificate certificate = (ClientCertificate) registration.credential();
            try {
                return ClientCredentialFactory.createFromCertificate(
                        new ByteArrayInputStream(certificate.pkcs12()), certificate.password());
            } catch (Exception e) {
                throw new ConnectorException(ProblemCode.CONFIGURATION_ERROR, "The certificate in "
                        + Setting.CLIENT_CERTIFICATE.nameFor(cloud)
                        + " cannot be read (" + e.getClass().getSimpleName() + "): it must be a base64 PKCS#12 file with its private key.");
            }
        });
    }
}
