package io.m365connector.platform;

import io.m365connector.cloud.HostingCloud;
import io.m365connector.platform.Settings.StorageSettings;
import java.net.URI;
import java.util.Optional;

/**
 * Reads where tables and queues live: a connection string, or identity-based access by service URI
 * (every cloud) or account name (the global cloud only: elsewhere the Functions queue trigger would
 * build a global-cloud queue address from the name).
 */
final class StorageReader {
    private final RawSettings reader;

    StorageReader(RawSettings reader) {
        this.reader = reader;
    }

    StorageSettings storage(HostingCloud cloud) {
        Optional<String> connectionString = reader.optional(Setting.AZURE_WEB_JOBS_STORAGE.settingName());
        Optional<String> account = reader.optional(Setting.AZURE_WEB_JOBS_STORAGE_ACCOUNT.settingName());
        Optional<URI> tableUri = serviceUri(Setting.AZURE_WEB_JOBS_STORAGE_TABLE_URI, "table", cloud);
        Optional<URI> queueUri = serviceUri(Setting.AZURE_WEB_JOBS_STORAGE_QUEUE_URI, "queue", cloud);
        if (connectionString.isPresent()) {
            return new StorageSettings(connectionString, account, tableUri, queueUri);
        }
        if (account.isPresent() && !account.get().matches("[a-z0-9]{3,24}")) {
            reader.problem(Setting.AZURE_WEB_JOBS_STORAGE_ACCOUNT, "must be a storage account name: 3-24 lowercase letters and digits.");
        }
        if (account.isPresent() && cloud != HostingCloud.GLOBAL) {
            // The queue trigger's client is built from the name as *.queue.core.windows.net, whatever the
            // service URIs say (azure-sdk-for-net StorageClientProvider; Azure/azure-webjobs-sdk#3132).
            reader.problem(Setting.AZURE_WEB_JOBS_STORAGE_ACCOUNT.settingName(), "must not be set when HOSTING_CLOUD is " + cloud.id()
                    + ": the Functions host's queue trigger builds https://<account>.queue.core.windows.net from it and ignores "
                    + "AzureWebJobsStorage__queueServiceUri outside the global cloud. Remove it and set AzureWebJobsStorage__queueServiceUri, "
                    + "AzureWebJobsStorage__tableServiceUri and AzureWebJobsStorage__blobServiceUri instead, for example "
                    + Setting.AZURE_WEB_JOBS_STORAGE_QUEUE_URI.settingName() + "=https://<account>.queue." + cloud.storageSuffix() + ".", null);
        } else if (account.isEmpty() && (tableUri.isEmpty() || queueUri.isEmpty())) {
            String missing = tableUri.isEmpty() && queueUri.isEmpty() ? "" : " (" + (tableUri.isEmpty()
                    ? Setting.AZURE_WEB_JOBS_STORAGE_TABLE_URI.settingName() : Setting.AZURE_WEB_JOBS_STORAGE_QUEUE_URI.settingName())
                    + " is missing)";
            reader.problem(Setting.AZURE_WEB_JOBS_STORAGE, "is missing (or, for managed identity, set AzureWebJobsStorage__tableServiceUri and "
                    + "AzureWebJobsStorage__queueServiceUri" + (cloud == HostingCloud.GLOBAL ? ", or AzureWebJobsStorage__accountName" : "")
                    + ")" + missing + ".");
        }
        return new StorageSettings(connectionString, account, tableUri, queueUri);
    }

    /** A storage service URI: https, {@code <account>.<service>.<the hosting cloud's storage suffix>}, no path. */
    private Optional<URI> serviceUri(Setting setting, String service, HostingCloud cloud) {
        Optional<String> raw = reader.optional(setting.settingName());
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        String value = raw.get().endsWith("/") ? raw.get().substring(0, raw.get().length() - 1) : raw.get();
        String expected = "https://<account>." + service + "." + cloud.storageSuffix() + " (a storage account in the hosting cloud '"
                + cloud.id() + "').";
        try {
            URI uri = URI.create(value);
            if (!"https".equals(uri.getScheme()) || uri.getHost() == null || (uri.getPath() != null && !uri.getPath().isEmpty())
                    || uri.getQuery() != null || !uri.getHost().matches("[a-z0-9]{3,24}\\." + service + "\\."
                    + cloud.storageSuffix().replace(".", "\\."))) {
                reader.problem(setting.settingName(), "must be " + expected, "https://stm365connector." + service + "." + cloud.storageSuffix());
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (IllegalArgumentException e) {
            reader.problem(setting.settingName(), "is not a URL: it must be " + expected, null);
            return Optional.empty();
        }
    }
}
