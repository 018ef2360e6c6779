package io.m365connector.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.graph.models.odataerrors.ODataError;
import io.m365connector.cloud.GraphCapability;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.ConnectionRef;
import io.m365connector.graph.GraphAccess;
import io.m365connector.graph.GraphClient;
import io.m365connector.graph.GraphJsonRequests;
import io.m365connector.graph.GraphRetry.Safety;
import io.m365connector.graph.GraphSession;
import io.m365connector.graph.GraphTemplates;
import io.m365connector.graph.GraphValues;
import io.m365connector.graph.Permissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Lists the rooms of the user's tenant from Graph's room directory (places), a page at a time. Graph
 * is read {@value #GRAPH_PAGE} rooms per request with {@code $top}/{@code $skip} (its documented
 * default page size; its next links are not relied on, they are reported missing with {@code $top});
 * the building and capacity filters are applied here, so one call reads at most
 * {@value #MAX_GRAPH_PAGES} Graph pages and holds one of them in memory.
 *
 * <p>Graph's rooms are read as JSON ({@link GraphJsonRequests}), not as the SDK's {@code Room} model, an {@code Entity}
 * whose first use costs a cold instance ~1,100 class loads (BENCHMARKS.md, issue 24); {@code RoomJsonTest} checks that
 * each room reads as the model read it.
 *
 * <p>Where Graph in the connection's cloud answers that it does not know the segment (Microsoft's pages disagree about
 * every cloud but the global one: {@link GraphCapability#PLACES}) the answer is {@code not_supported_in_cloud}.
 */
public final class RoomService {
    static final int GRAPH_PAGE = 100;
    static final int MAX_GRAPH_PAGES = 10;
    // The SDK's URI templates of places/graph.room and places/{id}/graph.roomList/rooms.
    private static final String ROOMS = "{+baseurl}/places/graph.room" + GraphTemplates.COLLECTION_QUERY;
    private static final String ROOMS_OF_LIST = "{+baseurl}/places/{place%2Did}/graph.roomList/rooms" + GraphTemplates.COLLECTION_QUERY;
    static final Permissions PERMISSIONS = new Permissions("listing rooms (Graph: List places)",
            List.of(Set.of("Place.Read.All")), "the rooms feature (Place.Read.All needs an administrator's consent)");
    static final String ALTERNATIVE = "Keep the tenant's room addresses in your app (for example entered by their administrator) "
            + "and pass them to /availability and /meeting-times (rooms) and to POST /events (rooms): those work in every cloud.";

    private final GraphAccess graph;
    private final Function<String, Optional<NationalCloud>> cloudOf;

    /** @param cloudOf the cloud of a connection, to say "not served here" rather than "missing permission" where places does not exist */
    RoomService(GraphAccess graph, Function<String, Optional<NationalCloud>> cloudOf) {
        this.graph = Objects.requireNonNull(graph, "'graph' cannot be null.");
        this.cloudOf = Objects.requireNonNull(cloudOf, "'cloudOf' cannot be null.");
    }

    public RoomPage list(ConnectionRef ref, RoomsRequest request) {
        GraphSession session = open(ref);
        String connectionId = session.connectionId();
        NationalCloud cloud = session.cloud();
        if (!GraphCapability.PLACES.mayBeServedIn(cloud)) {
            throw new NotSupportedInCloud(GraphCapability.PLACES, cloud, connectionId, ALTERNATIVE);
        }
        List<RoomView> rooms = new ArrayList<>();
        int skip = request.skip();
        for (int pages = 0; pages < MAX_GRAPH_PAGES; pages++) {
            List<JsonNode> page = fetch(session, request, skip);
            for (int i = 0; i < page.size(); i++) {
                JsonNode room = page.get(i);
                if (request.matches(GraphValues.text(room, "building"), GraphValues.integer(room, "capacity"))) {
                    rooms.add(RoomView.of(room));
                }
                boolean more = i + 1 < page.size() || page.size() == GRAPH_PAGE;
                if (rooms.size() == request.pageSize()) {
                    return page(connectionId, cloud, rooms, more ? request.tokenFor(skip + i + 1) : null);
                }
            }
            if (page.size() < GRAPH_PAGE) {
                return page(connectionId, cloud, rooms, null);
            }
            skip += page.size();
        }
        return page(connectionId, cloud, rooms, request.tokenFor(skip));
    }

    /** Without the permission where places does not exist, the answer is "not served here", not "missing permission". */
    private GraphSession open(ConnectionRef ref) {
        Optional<GraphSession> session = graph.openIfHeld(ref, PERMISSIONS);
        if (session.isPresent()) {
            return session.get();
        }
        Optional<NationalCloud> cloud = cloudOf.apply(ref.id()).filter(c -> !GraphCapability.PLACES.mayBeServedIn(c));
        if (cloud.isPresent()) {
            throw new NotSupportedInCloud(GraphCapability.PLACES, cloud.get(), ref.id(), ALTERNATIVE);
        }
        return graph.open(ref, PERMISSIONS); // answers missing_permissions, naming what the connection lacks
    }

    private List<JsonNode> fetch(GraphSession session, RoomsRequest request, int skip) {
        JsonNode response = session.call(Safety.REPEATABLE, client -> {
            try {
                return request(client, request, skip);
            } catch (ODataError e) {
                // a room list's address that is wrong answers 404 too: only the plain listing reads a 404 as not served
                boolean notServed = request.roomList() == null ? NotSupportedInCloud.notServed(e, GraphCapability.PLACES, session.cloud())
                        : NotSupportedInCloud.isSegmentRefusal(e);
                if (notServed) {
                    throw new NotSupportedInCloud(GraphCapability.PLACES, session.cloud(), session.connectionId(), ALTERNATIVE);
                }
                throw e;
            }
        });
        return GraphValues.list(response, "value");
    }

    private static JsonNode request(GraphClient client, RoomsRequest request, int skip) {
        Map<String, Object> query = Map.of("%24top", GRAPH_PAGE, "%24skip", skip);
        if (request.roomList() != null) {
            return GraphJsonRequests.get(client, ROOMS_OF_LIST, Map.of("place%2Did", request.roomList()), query, List.of());
        }
        return GraphJsonRequests.get(client, ROOMS, Map.of(), query, List.of());
    }

    private static RoomPage page(String connectionId, NationalCloud cloud, List<RoomView> rooms, String next) {
        return new RoomPage(connectionId, cloud.id(), "places", rooms, next);
    }
}
