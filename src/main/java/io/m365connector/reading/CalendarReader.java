package io.m365connector.reading;

import com.microsoft.graph.models.Event;
import com.microsoft.graph.models.EventCollectionResponse;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.graph.GraphAccess;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.graph.GraphSession;
import io.m365connector.outlook.OutlookPrefer;
import java.util.List;
import java.util.Objects;

/** Reads the connected user's calendar (or a shared one, {@link Mailbox}): the events in a time range, recurrences expanded, in the caller's time zone. */
public final class CalendarReader {

    private final GraphAccess graph;

    public CalendarReader(GraphAccess graph) {
        this.graph = Objects.requireNonNull(graph, "'graph' cannot be null.");
    }

    public EventPage view(ConnectionRef ref, EventQuery query) {
        GraphSession session = graph.open(ref, query.mailbox().calendar());
        EventCollectionResponse page = session.call(Safety.REPEATABLE, c -> query.mailbox().in(c).calendarView().get(rc -> {
            rc.queryParameters.startDateTime = query.startUtc();
            rc.queryParameters.endDateTime = query.endUtc();
            rc.queryParameters.top = query.pageSize();
            rc.queryParameters.skip = query.skip() == 0 ? null : query.skip();
            rc.queryParameters.select = EventSummary.SELECT;
            rc.queryParameters.orderby = new String[] {"start/dateTime"};
            rc.headers.add("Prefer", OutlookPrefer.IMMUTABLE_IDS);
            rc.headers.add("Prefer", OutlookPrefer.timeZone(query.timeZone()));
        }));
        List<Event> events = page == null || page.getValue() == null ? List.of() : page.getValue();
        boolean more = page != null && page.getOdataNextLink() != null;
        return new EventPage(session.connectionId(), query.timeZone(), events.stream().map(EventSummary::of).toList(),
                more ? query.cursorFor(query.skip() + events.size()) : null);
    }
}
