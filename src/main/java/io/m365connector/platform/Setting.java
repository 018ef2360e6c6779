package io.m365connector.platform;

import io.m365connector.cloud.NationalCloud;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every app setting the code reads, with an example value and what it is for. {@link Settings} reads
 * only these; tests check that local.settings.sample.json, docs/CONFIGURATION.md and the infrastructure list
 * every one of them. Names containing {@code {CLOUD}} exist once per Microsoft 365 cloud
 * ({@code GLOBAL}, {@code USGOV}, {@code USGOVDOD}, {@code CHINA}).
 */
public enum Setting {
    AZURE_WEB_JOBS_STORAGE("AzureWebJobsStorage", "UseDevelopmentStorage=true",
            "Storage connection string (Azurite locally). In Azure prefer the identity-based AzureWebJobsStorage__accountName."),
    AZURE_WEB_JOBS_STORAGE_ACCOUNT("AzureWebJobsStorage__accountName", "stm365connector",
            "Global hosting cloud only: storage account name for identity-based access (managed identity), when AzureWebJobsStorage and the service URIs are not set."),
    AZURE_WEB_JOBS_STORAGE_TABLE_URI("AzureWebJobsStorage__tableServiceUri", "https://stm365connector.table.core.usgovcloudapi.net",
            "Table service URI for identity-based access, with the hosting cloud's storage suffix; required with __queueServiceUri outside the global cloud."),
    AZURE_WEB_JOBS_STORAGE_QUEUE_URI("AzureWebJobsStorage__queueServiceUri", "https://stm365connector.queue.core.usgovcloudapi.net",
            "Queue service URI for identity-based access, with the hosting cloud's storage suffix; the queue triggers use it too."),
    HOSTING_CLOUD("HOSTING_CLOUD", "global",
            "Azure cloud hosting this app (Key Vault, Storage, managed identity): global | usgov | china."),
    MANAGED_IDENTITY_CLIENT_ID("AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000000",
            "Client id of the user-assigned managed identity used for Key Vault and Storage (optional)."),
    M365_CLOUDS("M365_CLOUDS", "global,usgov",
            "Microsoft 365 clouds users may connect from: any of global, usgov, usgovdod, china (GCC uses global)."),
    CLIENT_ID("M365_{CLOUD}_CLIENT_ID", "11111111-2222-3333-4444-555555555555",
            "Application (client) id of the app registration in that cloud's Entra ID."),
    CLIENT_SECRET("M365_{CLOUD}_CLIENT_SECRET", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/m365-global-client-secret/)",
            "Client secret of that app registration (use a Key Vault reference in Azure), or set a certificate instead."),
    CLIENT_CERTIFICATE("M365_{CLOUD}_CLIENT_CERTIFICATE", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/m365-global-cert/)",
            "Base64 PKCS#12 (PFX) certificate with private key for that app registration, instead of a secret."),
    CLIENT_CERTIFICATE_PASSWORD("M365_{CLOUD}_CLIENT_CERTIFICATE_PASSWORD", "",
            "Password of the PFX certificate, if it has one."),
    MANAGED_IDENTITY_CREDENTIAL("M365_{CLOUD}_MANAGED_IDENTITY_CLIENT_ID", "00000000-0000-0000-0000-000000000000",
            "Client id of this app's user-assigned managed identity, trusted by that app registration as a federated credential: no secret at all. Instead of a secret or certificate; the identity must be in the same Azure cloud as the registration."),
    HOME_TENANT("M365_{CLOUD}_HOME_TENANT", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "Tenant id the app registration lives in. Set it to have the app credential checked (an app-only token request there, GET /api/health, webhooks)."),
    CLIENT_SECRET_EXPIRES("M365_{CLOUD}_CLIENT_SECRET_EXPIRES", "2027-06-30",
            "Expiry date (UTC) of the client secret when it does not come from Key Vault; warnings start APP_CREDENTIAL_WARN_DAYS before."),
    CLIENT_SECRET_KEY_VAULT_URL("M365_{CLOUD}_CLIENT_SECRET_KEY_VAULT_URL", "https://kv.vault.azure.net/secrets/m365-global-client-secret",
            "The Key Vault secret the client secret comes from: its expires attribute gives the expiry warnings (Key Vault Secrets User reads it)."),
    TENANT("M365_{CLOUD}_TENANT", "organizations",
            "Default tenant for sign-in in that cloud: organizations, common, a tenant id or a domain."),
    PUBLIC_BASE_URL("PUBLIC_BASE_URL", "https://func-m365-connector.azurewebsites.net",
            "External base URL of this function app; the redirect URI registered in Entra ID is this + /api/auth/callback."),
    ALLOWED_RETURN_URLS("ALLOWED_RETURN_URLS", "https://app.example.com/settings/microsoft365",
            "Comma-separated return URLs the browser may be sent back to after sign-in (exact match)."),
    TOKEN_KEY_VAULT_URL("TOKEN_KEY_VAULT_URL", "https://kv-m365-connector.vault.azure.net",
            "Key Vault holding the token encryption key (must be in the hosting cloud)."),
    TOKEN_KEY_SECRET_NAME("TOKEN_KEY_SECRET_NAME", "token-encryption-key",
            "Name of the Key Vault secret holding the base64 256-bit token encryption key."),
    LOCAL_TOKEN_KEY("LOCAL_TOKEN_KEY", "q0gJ3sY3XG2Z1m0rV1Qm2W4o9nq3aXxkq4d3n5e0w1Y=",
            "Local development only: base64 256-bit token key used instead of Key Vault."),
    ALLOW_LOCAL_KEY_IN_AZURE("ALLOW_LOCAL_KEY_IN_AZURE", "false",
            "Set true to allow LOCAL_TOKEN_KEY on Azure (not recommended)."),
    WEBSITE_INSTANCE_ID("WEBSITE_INSTANCE_ID", "",
            "Set by Azure App Service; tells the app it runs in Azure. Never set it locally."),
    REFRESH_SCHEDULE("REFRESH_SCHEDULE", "0 */5 * * * *",
            "NCRONTAB schedule (UTC, six fields) of the token refresh sweep. The timer binding reads it, so it must be set."),
    REFRESH_KEEPALIVE_DAYS("REFRESH_KEEPALIVE_DAYS", "7",
            "Days between refreshes of an unused connection (1-60), well inside the 90-day refresh-token inactivity limit."),
    NOTIFY_WEBHOOK_URL("NOTIFY_WEBHOOK_URL", "https://app.example.com/hooks/m365-connector",
            "Optional https URL that receives Standard Webhooks events (connection status changes, app credential warnings)."),
    NOTIFY_WEBHOOK_SIGNING_SECRET("NOTIFY_WEBHOOK_SIGNING_SECRET", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/notify-webhook-signing-secret/)",
            "Standard Webhooks signing secret: whsec_ followed by the base64 of 24-64 random bytes (echo \"whsec_$(openssl rand -base64 32)\"); required with NOTIFY_WEBHOOK_URL. Give the same text to your receiver's Standard Webhooks library."),
    APP_CREDENTIAL_CHECK_MINUTES("APP_CREDENTIAL_CHECK_MINUTES", "15",
            "Minutes between checks of each cloud's app credential (5-1440); the result is kept that long."),
    APP_CREDENTIAL_WARN_DAYS("APP_CREDENTIAL_WARN_DAYS", "30",
            "Days before a client secret or certificate expires when warnings start (8-365); inside 7 days they escalate."),
    OUTBOUND_PROXY("OUTBOUND_PROXY", "http://proxy.example.com:8080",
            "Optional HTTP proxy for all outbound calls (Entra ID, Graph, Key Vault, Storage)."),
    OUTBOUND_TIMEOUT_SECONDS("OUTBOUND_TIMEOUT_SECONDS", "30",
            "Longest time one outbound call may take (connect, send, answer), in seconds (1-120); the Idempotency-Key lease is sized from it."),
    SYNC_DEBOUNCE_SECONDS("SYNC_DEBOUNCE_SECONDS", "10",
            "Seconds a synced inbox or calendar waits after Graph's first notification before it reads the changes (6-300): one run covers a burst. Shorter reaches the feed sooner, for more Graph requests.");

    /** The placeholder in per-cloud setting names. */
    public static final String CLOUD_PLACEHOLDER = "{CLOUD}";

    private final String pattern;
    private final String example;
    private final String description;

    Setting(String pattern, String example, String description) {
        this.pattern = pattern;
        this.example = example;
        this.description = description;
    }

    public String pattern() {
        return pattern;
    }

    public String example() {
        return example;
    }

    public String description() {
        return description;
    }

    public boolean perCloud() {
        return pattern.contains(CLOUD_PLACEHOLDER);
    }

    /** The setting's name; for a per-cloud setting, the name for that cloud. */
    public String nameFor(NationalCloud cloud) {
        return pattern.replace(CLOUD_PLACEHOLDER, cloud.id().toUpperCase(Locale.ROOT));
    }

    public String settingName() {
        if (perCloud()) {
            throw new IllegalStateException(pattern + " is per cloud: use nameFor(cloud)");
        }
        return pattern;
    }

    /** Every concrete setting name, per-cloud ones expanded for all four clouds. */
    public static List<String> allNames() {
        List<String> names = new ArrayList<>();
        for (Setting s : values()) {
            if (s.perCloud()) {
                for (NationalCloud cloud : NationalCloud.values()) {
                    names.add(s.nameFor(cloud));
                }
            } else {
                names.add(s.pattern);
            }
        }
        return names;
    }
}
