package io.m365connector.platform;

import java.time.Instant;

/** A store whose records expire: housekeeping asks it to delete its own old rows, however it keeps them. */
public interface ExpiringRecords {
    /** Removes records created before {@code cutoff}; returns how many. */
    int deleteCreatedBefore(Instant cutoff);
}
