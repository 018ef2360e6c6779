package io.m365connector.graph;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The path variables of Graph's URI templates: one the template would expand to nothing never reaches Graph. */
class GraphJsonRequestsTest {
    private static final String SEND = GraphJsonRequests.mailbox(null) + "/messages/{message%2Did}/send";
    private static final String SHARED_MESSAGE = GraphJsonRequests.mailbox("room@contoso.com") + GraphTemplates.MESSAGE;

    @Test
    void whenEveryPathVariableHasAValueThenTheRequestMayBeMade() {
        assertDoesNotThrow(() -> GraphJsonRequests.requireValues(SEND, GraphJsonRequests.parameters(null, "message%2Did", "AAMk="), Map.of()));
        assertDoesNotThrow(() -> GraphJsonRequests.requireValues(SHARED_MESSAGE,
                GraphJsonRequests.parameters("room@contoso.com", "message%2Did", "AAMk="), Map.of()));
        // {+baseurl} is the adapter's, a query's {?...} is optional, and a value the template does not use may be null
        assertDoesNotThrow(() -> GraphJsonRequests.requireValues("{+baseurl}/me/events{?%24select}",
                GraphJsonRequests.parameters(null, "event%2Did", null), Map.of()));
        // calendarView's literal query takes its values from the query parameters (Kiota expands the template from both)
        String view = "{+baseurl}/me/calendarView?endDateTime={endDateTime}&startDateTime={startDateTime}{&%24top}";
        assertDoesNotThrow(() -> GraphJsonRequests.requireValues(view, Map.of(),
                Map.of("startDateTime", "2027-03-01T00:00:00", "endDateTime", "2027-03-02T00:00:00")));
        assertThrows(IllegalArgumentException.class, () -> GraphJsonRequests.requireValues(view, Map.of(),
                Map.of("startDateTime", "2027-03-01T00:00:00")));
    }

    @Test
    void whenAPathVariableHasNoValueThenTheRequestIsRefusedNamingIt() {
        // Expanded to nothing, the send would be a POST to .../me/messages//send
        GraphJsonRequests.MissingPathValue refused = assertThrows(GraphJsonRequests.MissingPathValue.class,
                () -> GraphJsonRequests.requireValues(SEND, GraphJsonRequests.parameters(null, "message%2Did", null), Map.of()));
        assertTrue(refused.getMessage().contains("message%2Did"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GraphJsonRequests.requireValues(SHARED_MESSAGE,
                GraphJsonRequests.parameters(null, "message%2Did", "AAMk="), Map.of()), "the shared mailbox's user id is missing");
        assertThrows(IllegalArgumentException.class, () -> GraphJsonRequests.requireValues(SEND, Map.of(), Map.of()));
    }
}
