package io.m365connector.testing.graph;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a delta session tracks, carried by its tokens: a message folder ({@code folderId}) or a calendar window
 * ({@code start}, {@code end}), with the query of the first call ("don't modify subsequent delta query requests
 * to repeat these query parameters", delta-query-overview) and the link its pages point to.
 */
record DeltaQuery(String folderId, Instant start, Instant end, String select, String filter, boolean newestFirst, String changeType,
                  String linkBase) {
    boolean calendar() {
        return folderId == null;
    }

    /** The folder or calendar the session follows (for the last page kept for replays). */
    String stream() {
        return calendar() ? "calendar" : folderId;
    }

    /** The answer to an expired token (410 Gone, or another 40X), in the chosen variant (see {@link FakeDelta.SyncStateLoss}). */
    static SyncAnswer gone(FakeDelta.SyncStateLoss loss, MailboxState mb, DeltaQuery q) {
        return switch (loss) {
            case SYNC_STATE_NOT_FOUND -> SyncAnswer.error(410, "SyncStateNotFound", "The sync state generation is not found; generation="
                    + Math.max(0, mb.syncGeneration - 1) + ";[highest=" + mb.syncGeneration + "]");
            case SYNC_STATE_NOT_FOUND_AS_DOCUMENTED -> SyncAnswer.error(410, "syncStateNotFound", "The sync state generation is not found. "
                    + "The delta token is expired and data must be synchronized again.");
            case RESYNC_REQUIRED_WITH_LOCATION -> {
                SyncAnswer answer = SyncAnswer.error(410, "resyncRequired", "The delta token is no longer valid, and the app must reset "
                        + "the sync state.");
                yield q == null ? answer : answer.withHeader("Location", q.restart());
            }
            case OTHER_400 -> SyncAnswer.error(400, "invalidDeltaToken", "The delta token is not valid any more.");
            case OTHER_404 -> SyncAnswer.error(404, "itemNotFound", "The sync state could not be found.");
        };
    }

    /** The first call of the session again: its query with an empty $deltatoken. */
    String restart() {
        Map<String, String> params = new LinkedHashMap<>();
        if (calendar()) {
            params.put("startDateTime", SyncValues.time(start));
            params.put("endDateTime", SyncValues.time(end));
        }
        putIfSet(params, "$select", select);
        putIfSet(params, "$filter", filter);
        putIfSet(params, "changeType", changeType);
        params.put("$deltatoken", "");
        return linkBase + "?" + SyncValues.queryString(params);
    }

    private static void putIfSet(Map<String, String> params, String name, String value) {
        if (value != null) {
            params.put(name, value);
        }
    }
}
