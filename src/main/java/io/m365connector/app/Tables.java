package io.m365connector.app;

import java.util.Locale;

/**
 * The Table Storage tables (and queue name prefix) the app uses; created on first use, and by the
 * infrastructure. Tests give each suite its own names with a prefix so suites sharing one Azurite do
 * not see each other. Queue names used by triggers are fixed in the function annotations.
 */
public record Tables(String connections, String refreshDue, String loginSessions, String idempotency, String appCredentials,
                     String syncState, String syncItems, String changes, String syncDue, String subscriptions, String connectionOwners,
                     String queuePrefix) {
    public static Tables defaults() {
        return new Tables("connections", "refreshdue", "loginsessions", "idempotency", "appcredentials", "syncstate", "syncitems",
                "changes", "syncdue", "subscriptions", "connectionowners", "");
    }

    /** The same tables with a prefix (letters and digits) in front of each name. */
    public static Tables prefixed(String prefix) {
        Tables d = defaults();
        return new Tables(prefix + d.connections, prefix + d.refreshDue, prefix + d.loginSessions, prefix + d.idempotency,
                prefix + d.appCredentials, prefix + d.syncState, prefix + d.syncItems, prefix + d.changes, prefix + d.syncDue,
                prefix + d.subscriptions, prefix + d.connectionOwners, prefix.toLowerCase(Locale.ROOT) + "-");
    }
}
