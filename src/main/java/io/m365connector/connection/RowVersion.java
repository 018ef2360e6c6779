package io.m365connector.connection;

import java.time.Instant;

/**
 * What the store saw when it read a row: its ETag and the due time it is indexed under. Opaque to
 * callers; the store uses it to write conditionally and to move the refresh index entry.
 */
public record RowVersion(String etag, Instant indexedDue) {
}
