package io.m365connector.platform;

import io.m365connector.cloud.HostingCloud;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.Settings.AppCredentialPolicy;
import io.m365connector.platform.Settings.AppRegistration;
import io.m365connector.platform.Settings.HttpSettings;
import io.m365connector.platform.Settings.KeySource;
import io.m365connector.platform.Settings.KeyVaultKey;
import io.m365connector.platform.Settings.LocalKey;
import io.m365connector.platform.Settings.PlatformIdentity;
import io.m365connector.platform.Settings.SettingsException;
import io.m365connector.platform.Settings.StorageSettings;
import io.m365connector.platform.Settings.Webhook;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads {@link Settings} from raw values and collects every problem before failing, so all are reported at once. */
public final class SettingsReader {
    private final RawSettings values;

    /** Set by the platform, not by the app's settings (learn.microsoft.com/azure/app-service/overview-managed-identity). */
    private static final String PLATFORM_IDENTITY_ENDPOINT = "IDENTITY_ENDPOINT";
    private static final String PLATFORM_IDENTITY_HEADER = "IDENTITY_HEADER";
    /**
     * Environment variables that leave the hosting credential to azure-identity: credentials DefaultAzureCredential tries
     * before the managed identity, and the markers by which MSAL4J tells other identity endpoints that also set
     * IDENTITY_ENDPOINT from App Service's (Service Fabric: IDENTITY_SERVER_THUMBPRINT; Azure Arc: IMDS_ENDPOINT).
     */
    private static final List<String> LEFT_TO_AZURE_IDENTITY = List.of("AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_USERNAME",
            "AZURE_FEDERATED_TOKEN_FILE", "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT");

    private SettingsReader(Map<String, String> env) {
        this.values = new RawSettings(env);
    }

    /** Reads and validates settings; throws {@link SettingsException} listing every problem. */
    public static Settings read(Map<String, String> environment) {
        return new SettingsReader(environment).settings();
    }

    public static Settings fromEnvironment() {
        return read(System.getenv());
    }

    private Settings settings() {
        boolean runningInAzure = optional(Setting.WEBSITE_INSTANCE_ID.settingName()).isPresent();
        HostingCloud hostingCloud = hostingCloud();
        StorageSettings storage = new StorageReader(values).storage(hostingCloud);
        Map<NationalCloud, AppRegistration> registrations = new RegistrationReader(values, hostingCloud).registrations();
        URI publicBaseUrl = publicBaseUrl();
        Set<URI> allowedReturnUrls = allowedReturnUrls();
        KeySource keySource = keySource(hostingCloud, runningInAzure);
        Optional<String> managedIdentityClientId = optional(Setting.MANAGED_IDENTITY_CLIENT_ID.settingName());
        Optional<PlatformIdentity> platformIdentity = platformIdentity();
        HttpSettings http = http();
        refreshSchedule();
        Duration refreshKeepAlive = refreshKeepAlive();
        Optional<Webhook> webhook = new WebhookReader(values).webhook();
        AppCredentialPolicy appCredentialPolicy = appCredentialPolicy();
        Duration syncDebounce = Duration.ofSeconds(wholeNumber(Setting.SYNC_DEBOUNCE_SECONDS, 10, 6, 300, "seconds"));
        values.throwIfInvalid();
        return new Settings(hostingCloud, storage, registrations, publicBaseUrl, allowedReturnUrls, keySource, managedIdentityClientId,
                platformIdentity, http, runningInAzure, refreshKeepAlive, webhook, appCredentialPolicy, syncDebounce);
    }

    /**
     * The identity endpoint App Service and Azure Functions set (IDENTITY_ENDPOINT, IDENTITY_HEADER), used for the hosting
     * credential only where azure-identity's DefaultAzureCredential would use it too, with the App Service protocol: not
     * when one of the credentials it tries first is configured (a service principal in AZURE_CLIENT_SECRET /
     * AZURE_CLIENT_CERTIFICATE_PATH / AZURE_USERNAME, workload identity in AZURE_FEDERATED_TOKEN_FILE), not on another
     * host's identity endpoint (Service Fabric, Azure Arc), and not with an endpoint that is not an http(s) URL. Those
     * cases, and local runs, keep azure-identity.
     */
    private Optional<PlatformIdentity> platformIdentity() {
        Optional<String> endpoint = optional(PLATFORM_IDENTITY_ENDPOINT);
        Optional<String> header = optional(PLATFORM_IDENTITY_HEADER);
        if (endpoint.isEmpty() || header.isEmpty() || LEFT_TO_AZURE_IDENTITY.stream().anyMatch(name -> optional(name).isPresent())) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(endpoint.get());
            boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            return http && uri.getHost() != null ? Optional.of(new PlatformIdentity(uri, header.get())) : Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private Optional<String> optional(String name) {
        return values.optional(name);
    }

    private void problem(Setting setting, String what) {
        values.problem(setting, what);
    }

    private void problem(String name, String what, String example) {
        values.problem(name, what, example);
    }

    HostingCloud hostingCloud() {
        Optional<String> raw = optional(Setting.HOSTING_CLOUD.settingName());
        if (raw.isEmpty()) {
            return HostingCloud.GLOBAL;
        }
        Optional<HostingCloud> cloud = HostingCloud.fromId(raw.get());
        if (cloud.isEmpty()) {
            problem(Setting.HOSTING_CLOUD, "is '" + raw.get() + "': expected global, usgov or china.");
            return HostingCloud.GLOBAL;
        }
        return cloud.get();
    }

    AppCredentialPolicy appCredentialPolicy() {
        int minutes = wholeNumber(Setting.APP_CREDENTIAL_CHECK_MINUTES, 15, 5, 1440, "minutes");
        int days = wholeNumber(Setting.APP_CREDENTIAL_WARN_DAYS, 30, 8, 365, "days");
        return new AppCredentialPolicy(Duration.ofMinutes(minutes), Duration.ofDays(days));
    }

    /** A whole number from {@code min} to {@code max}, or the default when the setting is not set. */
    private int wholeNumber(Setting setting, int defaultValue, int min, int max, String unit) {
        Optional<String> raw = optional(setting.settingName());
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problem(setting, "must be a whole number of " + unit + " from " + min + " to " + max + ".");
        return defaultValue;
    }

    URI publicBaseUrl() {
        Optional<String> raw = optional(Setting.PUBLIC_BASE_URL.settingName());
        if (raw.isEmpty()) {
            problem(Setting.PUBLIC_BASE_URL, "is missing: the external base URL of this function app.");
            return URI.create("https://invalid.invalid");
        }
        String value = raw.get().endsWith("/") ? raw.get().substring(0, raw.get().length() - 1) : raw.get();
        try {
            URI uri = URI.create(value);
            boolean local = "http".equals(uri.getScheme()) && RawSettings.isLoopback(uri.getHost());
            if (!("https".equals(uri.getScheme()) || local) || uri.getHost() == null
                    || uri.getQuery() != null || uri.getFragment() != null
                    || (uri.getPath() != null && !uri.getPath().isEmpty())) {
                problem(Setting.PUBLIC_BASE_URL, "must be an https base URL without path or query (http only for localhost).");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            problem(Setting.PUBLIC_BASE_URL, "is not a URL.");
            return URI.create("https://invalid.invalid");
        }
    }

    Set<URI> allowedReturnUrls() {
        Set<URI> urls = new LinkedHashSet<>();
        Optional<String> raw = optional(Setting.ALLOWED_RETURN_URLS.settingName());
        if (raw.isEmpty()) {
            return Set.of();
        }
        for (String part : raw.get().split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                URI uri = URI.create(part.trim());
                boolean local = "http".equals(uri.getScheme()) && RawSettings.isLoopback(uri.getHost());
                if (!("https".equals(uri.getScheme()) || local) || uri.getHost() == null || uri.getFragment() != null
                        || uri.getUserInfo() != null) {
                    problem(Setting.ALLOWED_RETURN_URLS, "has '" + part.trim() + "': each must be an absolute https URL without fragment (http only for localhost).");
                } else {
                    urls.add(uri);
                }
            } catch (IllegalArgumentException e) {
                problem(Setting.ALLOWED_RETURN_URLS, "has '" + part.trim() + "', which is not a URL.");
            }
        }
        return Set.copyOf(urls);
    }

    KeySource keySource(HostingCloud hostingCloud, boolean runningInAzure) {
        Optional<String> vault = optional(Setting.TOKEN_KEY_VAULT_URL.settingName());
        Optional<String> local = optional(Setting.LOCAL_TOKEN_KEY.settingName());
        boolean allowLocalInAzure = optional(Setting.ALLOW_LOCAL_KEY_IN_AZURE.settingName())
                .map(v -> v.equalsIgnoreCase("true")).orElse(false);
        if (vault.isPresent() && local.isPresent()) {
            problem(Setting.LOCAL_TOKEN_KEY.settingName(), "and TOKEN_KEY_VAULT_URL are both set: keep one (Key Vault in Azure).", null);
        }
        if (vault.isPresent()) {
            String secretName = optional(Setting.TOKEN_KEY_SECRET_NAME.settingName()).orElse("token-encryption-key");
            if (!secretName.matches("[0-9a-zA-Z-]{1,127}")) {
                problem(Setting.TOKEN_KEY_SECRET_NAME, "must be a Key Vault secret name (letters, digits, dashes).");
            }
            try {
                URI uri = URI.create(vault.get().endsWith("/") ? vault.get().substring(0, vault.get().length() - 1) : vault.get());
                if (!"https".equals(uri.getScheme()) || uri.getHost() == null
                        || !uri.getHost().endsWith("." + hostingCloud.keyVaultSuffix())) {
                    problem(Setting.TOKEN_KEY_VAULT_URL, "must be https://<name>." + hostingCloud.keyVaultSuffix()
                            + " (a vault in the hosting cloud '" + hostingCloud.id() + "').");
                }
                return new KeyVaultKey(uri, secretName);
            } catch (IllegalArgumentException e) {
                problem(Setting.TOKEN_KEY_VAULT_URL, "is not a URL.");
                return null;
            }
        }
        if (local.isPresent()) {
            if (runningInAzure && !allowLocalInAzure) {
                problem(Setting.LOCAL_TOKEN_KEY.settingName(), "is for local development and is refused in Azure: set TOKEN_KEY_VAULT_URL "
                        + "(or ALLOW_LOCAL_KEY_IN_AZURE=true if you accept a key outside Key Vault).", null);
                return null;
            }
            try {
                byte[] key = Base64.getDecoder().decode(local.get());
                if (key.length != 32) {
                    problem(Setting.LOCAL_TOKEN_KEY, "must be 32 random bytes in base64 (openssl rand -base64 32).");
                }
                return new LocalKey(key);
            } catch (IllegalArgumentException e) {
                problem(Setting.LOCAL_TOKEN_KEY, "is not base64 (openssl rand -base64 32).");
                return null;
            }
        }
        problem(Setting.TOKEN_KEY_VAULT_URL, "is missing: tokens are encrypted under a key from Key Vault (or LOCAL_TOKEN_KEY for local runs).");
        return null;
    }

    HttpSettings http() {
        Duration timeout = Duration.ofSeconds(30);
        Optional<String> rawTimeout = optional(Setting.OUTBOUND_TIMEOUT_SECONDS.settingName());
        if (rawTimeout.isPresent()) {
            try {
                int seconds = Integer.parseInt(rawTimeout.get());
                if (seconds < 1 || seconds > 120) {
                    problem(Setting.OUTBOUND_TIMEOUT_SECONDS, "must be between 1 and 120.");
                } else {
                    timeout = Duration.ofSeconds(seconds);
                }
            } catch (NumberFormatException e) {
                problem(Setting.OUTBOUND_TIMEOUT_SECONDS, "must be a whole number of seconds.");
            }
        }
        Optional<URI> proxy = Optional.empty();
        Optional<String> rawProxy = optional(Setting.OUTBOUND_PROXY.settingName());
        if (rawProxy.isPresent()) {
            try {
                URI uri = URI.create(rawProxy.get());
                if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1) {
                    problem(Setting.OUTBOUND_PROXY, "must be http://host:port.");
                } else {
                    proxy = Optional.of(uri);
                }
            } catch (IllegalArgumentException e) {
                problem(Setting.OUTBOUND_PROXY, "is not a URL.");
            }
        }
        return new HttpSettings(timeout, proxy);
    }

    void refreshSchedule() {
        Optional<String> raw = optional(Setting.REFRESH_SCHEDULE.settingName());
        if (raw.isEmpty()) {
            // The refreshSweep timer's binding reads it (%REFRESH_SCHEDULE%): without it the host cannot start that timer, and
            // connections that are not used would lose their tokens while every other function answered as if all were well.
            problem(Setting.REFRESH_SCHEDULE, "is missing: the refresh sweep's NCRONTAB schedule, for example 0 */5 * * * * (every 5 minutes).");
        } else if (raw.get().trim().split("\\s+").length != 6) {
            problem(Setting.REFRESH_SCHEDULE, "must be an NCRONTAB expression with six fields (seconds first).");
        }
    }

    Duration refreshKeepAlive() {
        Optional<String> raw = optional(Setting.REFRESH_KEEPALIVE_DAYS.settingName());
        if (raw.isEmpty()) {
            return Duration.ofDays(7);
        }
        try {
            int days = Integer.parseInt(raw.get());
            if (days >= 1 && days <= 60) {
                return Duration.ofDays(days);
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problem(Setting.REFRESH_KEEPALIVE_DAYS, "must be a whole number of days from 1 to 60.");
        return Duration.ofDays(7);
    }
}
