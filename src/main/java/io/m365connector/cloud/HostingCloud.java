package io.m365connector.cloud;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The Azure cloud that hosts this function app: where its Key Vault and Storage account live and
 * where its managed identity gets tokens. Configured apart from the Microsoft 365 clouds of the
 * connections ({@link NationalCloud}): an app in Azure commercial can serve GCC High users.
 */
public enum HostingCloud {
    GLOBAL("global", "vault.azure.net", "core.windows.net", "https://login.microsoftonline.com/"),
    USGOV("usgov", "vault.usgovcloudapi.net", "core.usgovcloudapi.net", "https://login.microsoftonline.us/"),
    CHINA("china", "vault.azure.cn", "core.chinacloudapi.cn", "https://login.chinacloudapi.cn/");

    private final String id;
    private final String keyVaultSuffix;
    private final String storageSuffix;
    private final String identityAuthorityHost;

    HostingCloud(String id, String keyVaultSuffix, String storageSuffix, String identityAuthorityHost) {
        this.id = id;
        this.keyVaultSuffix = keyVaultSuffix;
        this.storageSuffix = storageSuffix;
        this.identityAuthorityHost = identityAuthorityHost;
    }

    public String id() {
        return id;
    }

    public String keyVaultSuffix() {
        return keyVaultSuffix;
    }

    public String storageSuffix() {
        return storageSuffix;
    }

    /** Authority host for azure-identity credentials (managed identity, workload identity, CLI). */
    public String identityAuthorityHost() {
        return identityAuthorityHost;
    }

    /** Table endpoint of a storage account in this cloud. */
    public String tableEndpoint(String accountName) {
        return "https://" + accountName + ".table." + storageSuffix;
    }

    /** Queue endpoint of a storage account in this cloud. */
    public String queueEndpoint(String accountName) {
        return "https://" + accountName + ".queue." + storageSuffix;
    }

    /** DoD (IL5) subscriptions live in Azure Government: {@code usgovdod} is accepted as {@link #USGOV}. */
    public static Optional<HostingCloud> fromId(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        if (wanted.equals("usgovdod")) {
            return Optional.of(USGOV);
        }
        return Arrays.stream(values()).filter(c -> c.id.equals(wanted)).findFirst();
    }
}
