package io.m365connector.tokens;

import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.IHttpClient;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.CallingThreadExecutor;
import io.m365connector.platform.ConnectorException;
import io.m365connector.platform.ProblemCode;
import io.m365connector.credentials.AppCredentialStates;
import io.m365connector.credentials.AppCredentialStatus;
import io.m365connector.credentials.AssertionUnavailableException;
import io.m365connector.credentials.ClientCredentials;
import io.m365connector.platform.Settings.AppRegistration;
import io.m365connector.platform.Settings;
import java.net.MalformedURLException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds MSAL4J confidential clients, one app registration per Microsoft 365 cloud, all on the shared
 * HTTP stack. Each call returns a new application with an empty token cache: a connection's cache is
 * loaded into it, used and saved back, so users' tokens never mix in a shared in-memory cache
 * (construction costs well under a millisecond; the parsed client credential is reused). The credential
 * is a secret, a certificate, or the app's managed identity as federated credential ({@link ClientCredentials}).
 */
public final class MsalClients {
    /** Client capabilities declared on every token request. */
    static final Set<String> CLIENT_CAPABILITIES = Set.of("cp1");

    private final Settings settings;
    private final IHttpClient http;
    private final ClientCredentials clientCredentials;
    private final AppCredentialStates credentialStates;
    private final Map<NationalCloud, IClientCredential> credentials = new ConcurrentHashMap<>();

    /** Secrets and certificates only (a managed identity credential fails with app_managed_identity_unavailable). */
    public MsalClients(Settings settings, IHttpClient http) {
        this(settings, http, new ClientCredentials((id, audience) -> {
            throw new AssertionUnavailableException("No managed identity token source is configured.", null);
        }), AppCredentialStates.NONE);
    }

    /**
     * @param clientCredentials builds each cloud's credential (with the managed identity token source)
     * @param credentialStates  what the credential check last found, to attribute refresh failures to the app
     */
    public MsalClients(Settings settings, IHttpClient http, ClientCredentials clientCredentials, AppCredentialStates credentialStates) {
        this.settings = settings;
        this.http = http;
        this.clientCredentials = clientCredentials;
        this.credentialStates = credentialStates;
    }

    /** The registration of an enabled cloud; a clear 400 for a cloud this deployment does not serve. */
    public AppRegistration registration(NationalCloud cloud) {
        return enabledRegistration(cloud).orElseThrow(() -> new ConnectorException(ProblemCode.CLOUD_NOT_ENABLED,
                "The " + cloud.id() + " cloud is not enabled in this deployment. Enabled: "
                        + settings.enabledClouds().stream().map(NationalCloud::id).toList()
                        + ". An operator adds it to M365_CLOUDS with its app registration."));
    }

    /** The registration of {@code cloud} when this deployment serves it. */
    Optional<AppRegistration> enabledRegistration(NationalCloud cloud) {
        return settings.registration(cloud);
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

    /**
     * Proves the cloud's app credential works: a client-credentials token request for the cloud's Graph
     * {@code .default} scope at the registration's home tenant, never served from a cache. Throws what
     * MSAL throws ({@link RefreshFailure#classify} reads it).
     */
    public void requestAppOnlyToken(NationalCloud cloud, String homeTenant) throws Exception {
        AppRegistration registration = registration(cloud);
        ConfidentialClientApplication app = ConfidentialClientApplication.builder(registration.clientId(), credential(registration))
                .authority(cloud.authorityUrl(homeTenant))
                .instanceDiscovery(false)
                .httpClient(http)
                .executorService(CallingThreadExecutor.INSTANCE)
                .build();
        app.acquireToken(ClientCredentialParameters.builder(Set.of(cloud.graphDefaultScope())).skipCache(true).build()).get();
    }

    /**
     * A refresh refused with "app disabled" (AADSTS7000112) is the user's tenant's when the app works in its home tenant.
     * A refresh refused with "app not found in the directory" (AADSTS700016) is the app's fault, not the
     * user's, when the credential check finds the registration gone from its own home tenant. The check must be one made
     * after the refusal: the last one, up to 15 minutes old, would let a registration deleted since (and restored later)
     * mark every connection it refused as needing a new sign-in.
     */
    RefreshFailure attribute(NationalCloud cloud, RefreshFailure failure, Instant refusedAt) {
        if (failure.code() == ProblemCode.APP_NOT_IN_TENANT && credentialStates.recheck(cloud, refusedAt)
                .filter(s -> s.state() == AppCredentialStatus.State.INVALID && s.code() == ProblemCode.APP_REGISTRATION_NOT_FOUND)
                .isPresent()) {
            return new RefreshFailure(RefreshFailure.Kind.CONFIGURATION, ProblemCode.APP_REGISTRATION_NOT_FOUND, failure.retryAfter(),
                    failure.summary());
        }
        boolean usersTenantMayLackIt = failure.code() == ProblemCode.APP_DISABLED
                // AADSTS7000229, "missing service principal in the tenant": also the user's tenant's, when an administrator
                // there deleted the enterprise application and the app works at home (reported naming other tenants than its own)
                || failure.code() == ProblemCode.APP_REGISTRATION_NOT_FOUND;
        if (usersTenantMayLackIt && credentialStates.recheck(cloud, refusedAt).filter(s -> worksSince(s, refusedAt)).isPresent()) {
            // AADSTS7000112, "the service principal is disabled in the resource tenant": the user's tenant, when the app works
            // in its home tenant after the refusal. Its administrator's to fix (or the user's to disconnect), not the operator's.
            return new RefreshFailure(RefreshFailure.Kind.PERMANENT, ProblemCode.APP_NOT_IN_TENANT, failure.retryAfter(), failure.summary());
        }
        return failure;
    }

    /** The home tenant's check, made at {@code since} or later, found the app's credential working. */
    private static boolean worksSince(AppCredentialStatus status, Instant since) {
        return status.checkedAt() != null && !status.checkedAt().isBefore(since) && status.state().working();
    }

    private IClientCredential credential(AppRegistration registration) {
        return credentials.computeIfAbsent(registration.cloud(), cloud -> clientCredentials.of(registration));
    }
}
