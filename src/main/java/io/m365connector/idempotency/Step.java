package io.m365connector.idempotency;

import java.util.Optional;

/** The work's view of its record: the progress an earlier attempt saved, and a way to save more. */
public interface Step {
    Optional<String> progress();

    /**
     * Saves progress (and renews the lease) before the work does something a retry must not repeat.
     * Throws {@code request_in_progress} when another runner took the record over: the work stops there.
     */
    void saveProgress(String progress);

    /**
     * Before each outbound call: renews the lease when less than half of it is left, and stops the
     * work ({@code request_in_progress}) when another runner took the record over. A renewal that
     * storage refuses while the lease still runs is tried again at the next call.
     */
    void keepLease();
}
