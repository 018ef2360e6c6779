package io.m365connector.reading;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.graph.GraphAccess;
import io.m365connector.graph.GraphJsonRequests;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.graph.GraphSession;
import io.m365connector.graph.GraphValues;
import io.m365connector.outlook.OutlookPrefer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Reads the connected user's calendar (or a shared one, {@link Mailbox}): the events in a time range, recurrences expanded, in the caller's time zone. */
public final class CalendarReader {

    /** Graph's URI template of a calendar view (as the SDK's request builder has it), under the mailbox's template. */
    private static final String CALENDAR_VIEW = "/calendarView?endDateTime={endDateTime}&startDateTime={startDateTime}"
            + "{&%24count,%24expand,%24filter,%24orderby,%24search,%24select,%24skip,%24top}";

    private final GraphAccess graph;

    public CalendarReader(GraphAccess graph) {
        this.graph = Objects.requireNonNull(graph, "'graph' cannot be null.");
    }

    public EventPage view(ConnectionRef ref, EventQuery query) {
        GraphSession session = graph.open(ref, query.mailbox().calendar());
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("startDateTime", query.startUtc());
        parameters.put("endDateTime", query.endUtc());
        parameters.put("%24top", query.pageSize());
        parameters.put("%24skip", query.skip() == 0 ? null : query.skip());
        parameters.put("%24select", EventSummary.SELECT);
        parameters.put("%24orderby", new String[] {"start/dateTime"});
        JsonNode page = session.call(Safety.REPEATABLE, c -> GraphJsonRequests.get(c, query.mailbox().template() + CALENDAR_VIEW,
                query.mailbox().parameters(), parameters, List.of(OutlookPrefer.IMMUTABLE_IDS, OutlookPrefer.timeZone(query.timeZone()))));
        List<JsonNode> events = GraphValues.list(page, "value");
        boolean more = GraphValues.text(page, "@odata.nextLink") != null;
        return new EventPage(session.connectionId(), query.timeZone(), events.stream().map(e -> EventSummary.of(e, query.timeZone())).toList(),
                more ? query.cursorFor(query.skip() + events.size()) : null);
    }
}
