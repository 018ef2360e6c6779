package io.m365connector.connection;

import java.time.Instant;

/** An entry of the refresh index: connection {@code connectionId} is due at {@code dueAt}. */
public record DueConnection(String connectionId, Instant dueAt) {
}
