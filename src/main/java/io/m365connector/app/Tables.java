package io.m365connector.app;

/**
 * The Table Storage tables the app uses (created on first use; the infrastructure creates them too).
 * Tests give each suite its own names with a prefix so suites sharing one Azurite do not see each other.
 */
public record Tables(String connections, String refreshDue, String loginSessions, String idempotency) {
    public static Tables defaults() {
        return new Tables("connections", "refreshdue", "loginsessions", "idempotency");
    }

    /** The same tables with a prefix (letters and digits) in front of each name. */
    public static Tables prefixed(String prefix) {
        Tables d = defaults();
        return new Tables(prefix + d.connections, prefix + d.refreshDue, prefix + d.loginSessions, prefix + d.idempotency);
    }
}
