package io.m365connector.reading;

import java.util.List;

/** A page of a folder's messages; {@code nextCursor} is null on the last page. */
public record MessagePage(String connectionId, String folder, List<MessageSummary> messages, String nextCursor) {
}
