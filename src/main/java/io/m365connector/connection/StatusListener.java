package io.m365connector.connection;

/**
 * Told when a connection's status changes (connected, needs the user again, recovered,
 * disconnected). Implementations must not throw: a notification problem never fails the change.
 */
@FunctionalInterface
public interface StatusListener {
    StatusListener NONE = (before, after) -> { };

    /** @param before the connection before the change (status PENDING for a first connection) */
    void statusChanged(Connection before, Connection after);
}
