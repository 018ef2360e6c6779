package io.m365connector.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The Azure SDK's and MSAL4J's own log lines reach java.util.logging (and so the Functions host)
 * through the slf4j-jdk14 binding. Some of them report answers the connector expects and handles:
 * a table created on first use (404 TableNotFound), an Idempotency-Key already taken (409
 * EntityAlreadyExists), a stale write refused (412), and MSAL's "execution failed" for a refresh the
 * connector classifies and logs once itself (also for the managed identity's client assertion: the
 * credential check logs its state once). Those are moved to FINE, so the operator's log shows
 * what needs attention; everything else passes at the level the library chose.
 *
 * <p>java.util.logging applies a filter only on the logger a record is logged to, so each library
 * logger is named here; the loggers are held strongly so the filters outlive garbage collection.
 */
public final class LibraryLogging {
    /** Loggers of the Azure SDK clients the connector uses (named after the client classes). */
    static final Set<String> AZURE_STORAGE_LOGGERS = Set.of(
            "com.azure.data.tables.TableClient", "com.azure.data.tables.TableAsyncClient",
            "com.azure.data.tables.TableServiceClient", "com.azure.data.tables.TableServiceAsyncClient",
            "com.azure.storage.queue.QueueClient", "com.azure.storage.queue.QueueAsyncClient",
            "com.azure.storage.queue.QueueServiceClient", "com.azure.storage.queue.QueueServiceAsyncClient",
            // where the storage SDK turns a Queue service error answer into an exception (and logs it)
            "com.azure.storage.common.implementation.StorageImplUtils");
    static final Set<String> MSAL_LOGGERS = Set.of(
            "com.microsoft.aad.msal4j.ConfidentialClientApplication", "com.microsoft.aad.msal4j.AuthenticationResultSupplier",
            "com.microsoft.aad.msal4j.ManagedIdentityApplication");
    /** MSAL's managed identity client: a refused identity request, which the credential check classifies and logs once. */
    static final String MSAL_MANAGED_IDENTITY_LOGGER = "com.microsoft.aad.msal4j.AbstractManagedIdentitySource";
    /** Storage answers that are part of normal operation. */
    private static final Pattern EXPECTED_STORAGE_ANSWER = Pattern.compile(
            "Status code (404|409|412)\\b.*\\b(TableNotFound|ResourceNotFound|EntityAlreadyExists|TableAlreadyExists|TableBeingDeleted"
                    + "|UpdateConditionNotSatisfied|QueueNotFound|QueueAlreadyExists|QueueBeingDeleted)\\b", Pattern.DOTALL);
    /** MSAL's report of a token request that failed: the connector classifies the failure and logs the outcome. */
    private static final Pattern MSAL_EXECUTION_FAILED = Pattern.compile("Execution of class \\S+ failed", Pattern.DOTALL);
    private static final Pattern MSAL_IDENTITY_REQUEST_FAILED = Pattern.compile("\\[Managed Identity\\] request failed", Pattern.DOTALL);
    private static final List<Logger> HELD = new ArrayList<>();

    private LibraryLogging() {
    }

    /** Installs the filters (once per process; later calls do nothing). */
    public static synchronized void install() {
        if (!HELD.isEmpty()) {
            return;
        }
        AZURE_STORAGE_LOGGERS.forEach(name -> hold(name, downgrade(EXPECTED_STORAGE_ANSWER)));
        MSAL_LOGGERS.forEach(name -> hold(name, downgrade(MSAL_EXECUTION_FAILED)));
        hold(MSAL_MANAGED_IDENTITY_LOGGER, downgrade(MSAL_IDENTITY_REQUEST_FAILED));
    }

    /**
     * A filter that masks bearer tokens and secret parameters in a library's message (defence in depth:
     * none are expected there) and moves records matching {@code expected} to FINE.
     */
    static Filter downgrade(Pattern expected) {
        return record -> {
            if (record.getMessage() != null) {
                record.setMessage(Redaction.text(record.getMessage()));
                if (record.getLevel().intValue() > Level.FINE.intValue() && expected.matcher(record.getMessage()).find()) {
                    record.setLevel(Level.FINE);
                }
            }
            return true;
        };
    }

    private static void hold(String name, Filter filter) {
        Logger logger = Logger.getLogger(name);
        logger.setFilter(filter);
        HELD.add(logger);
    }

}
