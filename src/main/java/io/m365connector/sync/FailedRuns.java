package io.m365connector.sync;

import io.m365connector.platform.ProblemCode;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a failed run leaves: its error on the resource's state, and, when the sync stops on a problem a retry cannot fix,
 * one {@code connection.sync_stopped} for the web app ({@code connection.sync_recovered} follows the next run that works).
 */
final class FailedRuns {
    /** Problems a retry cannot fix: the run stops and the state says why (the timer or a reconnect restarts it). */
    static final Set<ProblemCode> STOPPING = EnumSet.of(ProblemCode.REAUTH_REQUIRED, ProblemCode.MISSING_PERMISSIONS,
            ProblemCode.NOT_FOUND, ProblemCode.MAILBOX_ACCESS_DENIED, ProblemCode.INTERACTION_REQUIRED);

    private final SyncStates states;
    private final ChangeListener listener;
    private final Clock clock;

    FailedRuns(SyncStates states, ChangeListener listener, Clock clock) {
        this.states = states;
        this.listener = listener;
        this.clock = clock;
    }

    void record(SyncRequest request, ProblemCode code) {
        try {
            SyncState before = states.find(request.connectionId(), request.target())
                    .orElseGet(() -> SyncState.start(request.connectionId(), request.target()));
            SyncState after = before.failed(code.code(), clock.instant());
            states.save(after);
            if (stopped(after) && !stopped(before)) {
                listener.syncStopped(request.connectionId(), request.target(), code.code(), after.lastRunAt());
            }
        } catch (RuntimeException ignored) {
            // the state says what the last run did; a failure to say it is not worth hiding the original one
        }
    }

    /** Whether the state's last run stopped the sync (a problem a retry cannot fix), not just failed. */
    static boolean stopped(SyncState state) {
        return state.lastError() != null && STOPPING.stream().anyMatch(code -> code.code().equals(state.lastError()));
    }
}
