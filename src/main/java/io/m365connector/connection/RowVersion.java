package io.m365connector.connection;

import java.time.Instant;

/**
 * What the store saw when it read a row: its ETag, the due time it is indexed under, and whether the
 * owner index has its entry. Opaque to callers; the store uses it to write conditionally and to keep
 * its indexes in step.
 */
public record RowVersion(String etag, Instant indexedDue, boolean ownerIndexed) {
    /** A version whose owner index entry exists (every row written since the owner index came). */
    public RowVersion(String etag, Instant indexedDue) {
        this(etag, indexedDue, true);
    }
}
