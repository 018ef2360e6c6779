package io.m365connector.reading;

import java.util.List;

/** A page of a calendar view; {@code nextCursor} is null on the last page. */
public record EventPage(String connectionId, String timeZone, List<EventSummary> events, String nextCursor) {
}
