package io.m365connector.testing.graph;

/**
 * One change in a mailbox, as the mail store tells the subscriptions about it (under the fake's lock).
 *
 * @param event true for a calendar event, false for a message
 * @param change {@code created}, {@code updated}, {@code deleted} or (messages) {@code moved}
 * @param fromFolder for messages: the folder it was in (updated, deleted, moved), else null
 * @param toFolder for messages: the folder it is in now (created, updated, moved), else null
 * @param oldDefaultId for a move: the default id before it; else the same as {@code defaultId}
 * @param defaultId the item's default id now (for a deletion: its last one)
 * @param immutableId the item's immutable id (events: the same as the default id)
 * @param changeKey for the notification's {@code @odata.etag}
 */
record Notice(String upn, boolean event, String change, String fromFolder, String toFolder, String oldDefaultId, String defaultId,
              String immutableId, String changeKey) {
    /** Who hears about changes: the subscriptions. */
    interface Sink {
        void changed(Notice notice);
    }
}
