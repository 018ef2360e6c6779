package io.m365connector.sync;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * Where the sync of one target (a resource of the user's mailbox or of a shared one) of a connection stands.
 *
 * @param deltaLink       Graph's delta link after the last completed run (null before the first one finishes)
 * @param nextLink        the next page of a run in progress: a run that died resumes there
 * @param generation      the current full sync's number; items a full sync did not see are deleted at its end
 * @param fullSync        a full sync (first run, window roll, or Graph lost the sync state) is in progress
 * @param windowStart     the calendar view's window (calendar only), chosen when its full sync starts
 * @param scheduledRunAt  when a run asked for by notifications is due: notifications before it are covered by it
 * @param runStartedAt    when the last run started: a sync request made before it is covered by it
 * @param lastRunAt       when the last run ended, successfully or not
 * @param lastSuccessAt   when the last run completed
 * @param lastError       the problem code of the last failed run, null after a success
 * @param version         the row's ETag; null before the first write
 */
public record SyncState(String connectionId, SyncTarget target, String deltaLink, String nextLink, long generation, boolean fullSync,
                        Instant windowStart, Instant windowEnd, Instant scheduledRunAt, Instant runStartedAt, Instant lastRunAt, Instant lastSuccessAt, String lastError, String version) {
    public SyncState {
        Objects.requireNonNull(connectionId, "'connectionId' cannot be null.");
        Objects.requireNonNull(target, "'target' cannot be null.");
    }

    /** Before the first run: a full sync of generation 1. */
    static SyncState start(String connectionId, SyncTarget target) {
        return new SyncState(connectionId, target, null, null, 1, true, null, null, null, null, null, null, null, null);
    }

    /** A new full sync (the old delta link is dropped): Graph lost the sync state, or the calendar window rolled. */
    SyncState restart(Instant newWindowStart, Instant newWindowEnd) {
        return new SyncState(connectionId, target, null, null, generation + 1, true, newWindowStart, newWindowEnd, scheduledRunAt, runStartedAt, lastRunAt,
                lastSuccessAt, lastError, version);
    }

    SyncState window(Instant start, Instant end) {
        return new SyncState(connectionId, target, deltaLink, nextLink, generation, fullSync, start, end, scheduledRunAt, runStartedAt, lastRunAt, lastSuccessAt,
                lastError, version);
    }

    SyncState progress(String next) {
        return new SyncState(connectionId, target, deltaLink, next, generation, fullSync, windowStart, windowEnd, scheduledRunAt, runStartedAt, lastRunAt, lastSuccessAt,
                lastError, version);
    }

    SyncState completed(String newDeltaLink, Instant at) {
        return new SyncState(connectionId, target, newDeltaLink, null, generation, false, windowStart, windowEnd, scheduledRunAt, runStartedAt, at, at, null,
                version);
    }

    SyncState failed(String code, Instant at) {
        return new SyncState(connectionId, target, deltaLink, nextLink, generation, fullSync, windowStart, windowEnd, scheduledRunAt, runStartedAt, at,
                lastSuccessAt, code, version);
    }

    SyncState scheduled(Instant at) {
        return new SyncState(connectionId, target, deltaLink, nextLink, generation, fullSync, windowStart, windowEnd, at, runStartedAt,
                lastRunAt, lastSuccessAt, lastError, version);
    }

    SyncState started(Instant at) {
        return new SyncState(connectionId, target, deltaLink, nextLink, generation, fullSync, windowStart, windowEnd, scheduledRunAt, at, lastRunAt,
                lastSuccessAt, lastError, version);
    }

    /**
     * Whether the last run covers a request made at {@code requestedAt}: it started after it (by more than {@code skew}) and
     * completed. A run that failed, or is still going, covers nothing: the queue's retry of a request that a failed run
     * had "covered" was dropped, and its change (or a paged first sync) waited for the hourly timer.
     */
    boolean covers(Instant requestedAt, Duration skew) {
        return runStartedAt != null && requestedAt.isBefore(runStartedAt.minus(skew)) && lastSuccessAt != null
                && !lastSuccessAt.isBefore(runStartedAt);
    }

    /** Whether {@code other} holds the same run as this (everything but the scheduling mark and the version). */
    boolean sameRunAs(SyncState other) {
        return Objects.equals(deltaLink, other.deltaLink) && Objects.equals(nextLink, other.nextLink) && generation == other.generation
                && fullSync == other.fullSync && same(windowStart, other.windowStart) && same(windowEnd, other.windowEnd)
                && same(runStartedAt, other.runStartedAt) && same(lastRunAt, other.lastRunAt) && same(lastSuccessAt, other.lastSuccessAt)
                && Objects.equals(lastError, other.lastError);
    }

    /** Instants as a table keeps them: to the microsecond. */
    private static boolean same(Instant a, Instant b) {
        return a == null || b == null ? a == b : a.truncatedTo(ChronoUnit.MICROS).equals(b.truncatedTo(ChronoUnit.MICROS));
    }

    SyncState withVersion(String etag) {
        return new SyncState(connectionId, target, deltaLink, nextLink, generation, fullSync, windowStart, windowEnd, scheduledRunAt, runStartedAt,
                lastRunAt, lastSuccessAt, lastError, etag);
    }

    public SyncResource resource() {
        return target.resource();
    }

    /** The link a run starts from: a page of an interrupted run, else the last delta link, else none (full sync from scratch). */
    String resumeLink() {
        return nextLink != null ? nextLink : deltaLink;
    }

    @Override
    public String toString() {
        return "SyncState[" + connectionId + "/" + target.key() + ", generation=" + generation + ", fullSync=" + fullSync
                + ", lastSuccessAt=" + lastSuccessAt + ", lastError=" + lastError + "]";
    }
}
