package io.m365connector.platform;

import io.m365connector.cloud.HostingCloud;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.webhooks.WebhookSecret;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The app's configuration, read once from the environment (app settings in Azure,
 * local.settings.json locally) and validated as a whole. Every problem is reported at once, each
 * naming the setting and showing an example value. No other class reads environment variables.
 */
public final class Settings {
    private final HostingCloud hostingCloud;
    private final StorageSettings storage;
    private final Map<NationalCloud, AppRegistration> registrations;
    private final URI publicBaseUrl;
    private final Set<URI> allowedReturnUrls;
    private final KeySource keySource;
    private final Optional<String> managedIdentityClientId;
    private final Optional<PlatformIdentity> platformIdentity;
    private final HttpSettings http;
    private final boolean runningInAzure;
    private final Duration refreshKeepAlive;
    private final Optional<Webhook> webhook;
    private final AppCredentialPolicy appCredentialPolicy;
    private final Duration syncDebounce;

    /** Built by {@link SettingsReader}, which reads and validates every value first. */
    Settings(HostingCloud hostingCloud, StorageSettings storage, Map<NationalCloud, AppRegistration> registrations, URI publicBaseUrl,
             Set<URI> allowedReturnUrls, KeySource keySource, Optional<String> managedIdentityClientId,
             Optional<PlatformIdentity> platformIdentity, HttpSettings http,
             boolean runningInAzure, Duration refreshKeepAlive, Optional<Webhook> webhook, AppCredentialPolicy appCredentialPolicy,
             Duration syncDebounce) {
        this.hostingCloud = hostingCloud;
        this.storage = storage;
        this.registrations = registrations;
        this.publicBaseUrl = publicBaseUrl;
        this.allowedReturnUrls = allowedReturnUrls;
        this.keySource = keySource;
        this.managedIdentityClientId = managedIdentityClientId;
        this.platformIdentity = platformIdentity;
        this.http = http;
        this.runningInAzure = runningInAzure;
        this.refreshKeepAlive = refreshKeepAlive;
        this.webhook = webhook;
        this.appCredentialPolicy = appCredentialPolicy;
        this.syncDebounce = syncDebounce;
    }

    public HostingCloud hostingCloud() {
        return hostingCloud;
    }

    public StorageSettings storage() {
        return storage;
    }

    /** The Microsoft 365 clouds this deployment accepts connections from. */
    public Set<NationalCloud> enabledClouds() {
        return registrations.keySet();
    }

    public Optional<AppRegistration> registration(NationalCloud cloud) {
        return Optional.ofNullable(registrations.get(cloud));
    }

    public URI publicBaseUrl() {
        return publicBaseUrl;
    }

    /** Where Entra ID sends the browser back; register exactly this URL in each cloud's app registration. */
    public String redirectUri() {
        return publicBaseUrl + "/api/auth/callback";
    }

    public Set<URI> allowedReturnUrls() {
        return allowedReturnUrls;
    }

    /**
     * The allow-listed return URL spelled exactly as {@code requested} (character for character: no
     * case folding, no port or path normalisation), so the browser only ever goes to a registered spelling.
     */
    public Optional<URI> registeredReturnUrl(String requested) {
        return allowedReturnUrls.stream().filter(url -> url.toString().equals(requested)).findFirst();
    }

    public KeySource keySource() {
        return keySource;
    }

    public Optional<String> managedIdentityClientId() {
        return managedIdentityClientId;
    }

    /** The identity endpoint App Service and Azure Functions give the app, when the hosting credential should use it. */
    public Optional<PlatformIdentity> platformIdentity() {
        return platformIdentity;
    }

    public HttpSettings http() {
        return http;
    }

    public boolean runningInAzure() {
        return runningInAzure;
    }

    /** How often an unused connection is refreshed to keep its refresh token alive. */
    public Duration refreshKeepAlive() {
        return refreshKeepAlive;
    }

    /** Where webhook events go, if anywhere, and how they are signed. */
    public Optional<Webhook> webhook() {
        return webhook;
    }

    /** How each cloud's app credential is checked and when its expiry is announced. */
    public AppCredentialPolicy appCredentialPolicy() {
        return appCredentialPolicy;
    }

    /** How long a synced resource waits after a notification before its run (SYNC_DEBOUNCE_SECONDS). */
    public Duration syncDebounce() {
        return syncDebounce;
    }

    /** IDENTITY_ENDPOINT and IDENTITY_HEADER: where the platform issues the app's managed identity tokens, and its secret. */
    public record PlatformIdentity(URI endpoint, String header) {
        @Override
        public String toString() {
            return "PlatformIdentity[endpoint=" + endpoint + ", header=REDACTED]";
        }
    }

    /** Where webhooks go and the Standard Webhooks secrets they are signed with (two while the web app moves to a new one). */
    public record Webhook(URI url, List<WebhookSecret> secrets) {
        @Override
        public String toString() {
            return "Webhook[url=" + url + ", secret=REDACTED]";
        }
    }

    /** Raised when settings are missing or malformed; the message lists every problem, one per line. */
    public static final class SettingsException extends ConnectorException {
        private final List<String> problems;

        SettingsException(List<String> problems) {
            super(ProblemCode.CONFIGURATION_ERROR,
                    "The connector's settings are not valid:\n- " + String.join("\n- ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /**
     * Where tables and queues live: a connection string (Azurite, keys), or an account reached with
     * managed identity, by its service URIs (every cloud) or by its name (the global cloud).
     */
    public record StorageSettings(Optional<String> connectionString, Optional<String> accountName,
                                  Optional<URI> tableServiceUri, Optional<URI> queueServiceUri) {
        public StorageSettings(Optional<String> connectionString, Optional<String> accountName) {
            this(connectionString, accountName, Optional.empty(), Optional.empty());
        }

        /** The table endpoint for identity-based access: the service URI when given, else built from the account name. */
        public String tableEndpoint(HostingCloud cloud) {
            return tableServiceUri.map(URI::toString).orElseGet(() -> cloud.tableEndpoint(accountName.orElseThrow()));
        }

        /** The queue endpoint for identity-based access: the service URI when given, else built from the account name. */
        public String queueEndpoint(HostingCloud cloud) {
            return queueServiceUri.map(URI::toString).orElseGet(() -> cloud.queueEndpoint(accountName.orElseThrow()));
        }

        @Override
        public String toString() {
            return "StorageSettings[" + (connectionString.isPresent() ? "connectionString=REDACTED"
                    : accountName.map(a -> "accountName=" + a).orElse("")
                    + tableServiceUri.map(u -> (accountName.isPresent() ? ", " : "") + "tableServiceUri=" + u).orElse("")
                    + queueServiceUri.map(u -> ", queueServiceUri=" + u).orElse("")) + "]";
        }
    }

    /** The app registration of one Microsoft 365 cloud, and how its credential is checked. */
    public record AppRegistration(NationalCloud cloud, String clientId, ClientCredential credential, String defaultTenant,
                                  CredentialCheck check) {
        public AppRegistration(NationalCloud cloud, String clientId, ClientCredential credential, String defaultTenant) {
            this(cloud, clientId, credential, defaultTenant, CredentialCheck.NONE);
        }
    }

    /**
     * What the credential health check of a cloud needs: the registration's home tenant (an app-only
     * token is requested there; no check without it) and where a client secret's expiry is known.
     */
    public record CredentialCheck(Optional<String> homeTenant, Optional<Instant> secretExpires, Optional<URI> secretKeyVaultUrl) {
        public static final CredentialCheck NONE = new CredentialCheck(Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** How the app proves itself to Entra ID: a client secret, a certificate, or a managed identity's token as client assertion. */
    public sealed interface ClientCredential permits ClientSecret, ClientCertificate, FederatedManagedIdentity {
        /** The kind as the health report and webhooks name it. */
        String kind();
    }

    public record ClientSecret(String value) implements ClientCredential {
        @Override
        public String kind() {
            return "client_secret";
        }

        @Override
        public String toString() {
            return "ClientSecret[REDACTED]";
        }
    }

    public record ClientCertificate(Bytes pkcs12, String password) implements ClientCredential {
        public ClientCertificate(byte[] pkcs12, String password) {
            this(Bytes.copyOf(pkcs12), password);
        }

        @Override
        public String kind() {
            return "certificate";
        }

        @Override
        public String toString() {
            return "ClientCertificate[REDACTED]"; // the password too
        }
    }

    /**
     * No secret at all: the registration trusts this user-assigned managed identity as a federated
     * identity credential, and the client assertion is the identity's token for the cloud's
     * token-exchange audience.
     */
    public record FederatedManagedIdentity(String managedIdentityClientId) implements ClientCredential {
        @Override
        public String kind() {
            return "managed_identity";
        }
    }

    /**
     * How often each cloud's app credential is checked, and how long before it expires warnings start
     * ({@link #ESCALATE_BEFORE} before, they escalate).
     */
    public record AppCredentialPolicy(Duration checkInterval, Duration warnBefore) {
        public static final Duration ESCALATE_BEFORE = Duration.ofDays(7);
        public static final AppCredentialPolicy DEFAULT = new AppCredentialPolicy(Duration.ofMinutes(15), Duration.ofDays(30));
    }

    /** Where the token encryption key comes from. */
    public sealed interface KeySource permits KeyVaultKey, LocalKey {
    }

    public record KeyVaultKey(URI vaultUrl, String secretName) implements KeySource {
    }

    public record LocalKey(Bytes key) implements KeySource {
        public LocalKey(byte[] key) {
            this(Bytes.copyOf(key));
        }
    }

    public record HttpSettings(Duration timeout, Optional<URI> proxy) {
    }
}
