package io.m365connector.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.graph.FakeRoom;
import io.m365connector.testing.graph.RecordedRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** GET /connections/{id}/rooms over the real Graph SDK against the fake Graph in each cloud. */
class RoomsTest {
    private static final ConnectorHarness HARNESS = new ConnectorHarness();

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "USGOV", "USGOVDOD"})
    void whenTheCloudServesPlacesThenRoomsComeWithTheirDetails(NationalCloud cloud) {
        ConnectorHarness.Connected c = HARNESS.connect(cloud, "\"rooms\"");
        String tenant = c.user().tenantId();
        HARNESS.graph.scheduling().addRoom(tenant, new FakeRoom("board@contoso.com", "Board Room", 12, "HQ", 3, "3rd floor", true,
                "Surface Hub audio", "Teams Room camera", "85\" screen", List.of("whiteboard"), "1 Main St", "Redmond", null));
        HARNESS.graph.scheduling().addRoom(tenant, FakeRoom.of("focus@contoso.com", "Focus Room", 2, "Annex"));

        FakeHttpResponse response = HARNESS.listRooms(c.connectionId(), null);

        assertEquals(200, response.getStatusCode(), response.bodyText());
        JsonNode body = ConnectorHarness.json(response.bodyText());
        assertEquals(cloud.id(), body.get("cloud").asText());
        assertEquals("places", body.get("source").asText());
        assertEquals(2, body.get("rooms").size());
        JsonNode board = body.get("rooms").get(0);
        assertEquals("board@contoso.com", board.get("emailAddress").asText());
        assertEquals("Board Room", board.get("displayName").asText());
        assertEquals(12, board.get("capacity").asInt());
        assertEquals("HQ", board.get("building").asText());
        assertEquals(3, board.get("floorNumber").asInt());
        assertEquals("3rd floor", board.get("floorLabel").asText());
        assertTrue(board.get("isWheelChairAccessible").asBoolean());
        assertEquals("Teams Room camera", board.get("equipment").get("videoDeviceName").asText());
        assertEquals("whiteboard", board.get("equipment").get("tags").get(0).asText());
        assertEquals("Redmond", board.get("address").get("city").asText());
        assertFalse(body.has("nextPageToken"), "two rooms: one page");
        List<RecordedRequest> calls = requests(c, "/places/.*");
        assertEquals(1, calls.size());
        assertEquals(cloud.graphHost(), calls.get(0).host());
        assertTrue(calls.get(0).query().contains("%24top=100") || calls.get(0).query().contains("$top=100"), calls.get(0).query());
    }

    /** 21Vianet's Graph answered "Resource not found for the segment 'places'" (issue 4744), as the fake does by default. */
    @Test
    void whenGraphIn21VianetDoesNotKnowPlacesThenNotSupportedInCloudNamesTheCloudAndTheAlternativeAfterOneCall() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.CHINA, "\"rooms\"");

        FakeHttpResponse response = HARNESS.listRooms(c.connectionId(), null);

        assertEquals(422, response.getStatusCode(), response.bodyText());
        JsonNode problem = ConnectorHarness.json(response.bodyText());
        assertEquals("not_supported_in_cloud", problem.get("code").asText());
        assertEquals("china", problem.get("cloud").asText());
        assertTrue(problem.get("detail").asText().contains("List places"), problem.toString());
        assertTrue(problem.get("detail").asText().contains("/availability"), problem.toString());
        assertEquals(1, requests(c, "/places.*").size(), "tried once: versions of the page show 21Vianet served");
    }

    /** Where the pages disagree (L4, L5, 21Vianet) no report shows the refusal's form: a 404 or a 501 is not served too. */
    @ParameterizedTest
    @CsvSource({"USGOV, 404, ResourceNotFound", "USGOVDOD, 501, NotImplemented"})
    void whenGraphInACloudWherePagesDisagreeRefusesPlacesOtherwiseThenNotSupportedInCloudToo(NationalCloud cloud, int status, String code) {
        ConnectorHarness.Connected c = HARNESS.connect(cloud, "\"rooms\"");
        HARNESS.graph.scheduling().setPlacesServed(cloud, false);
        HARNESS.graph.scheduling().setPlacesRefusal(status, code, "Not available here.");
        try {
            FakeHttpResponse response = HARNESS.listRooms(c.connectionId(), null);

            assertEquals(422, response.getStatusCode(), response.bodyText());
            assertEquals("not_supported_in_cloud", ConnectorHarness.json(response.bodyText()).get("code").asText());
            assertEquals(cloud.id(), ConnectorHarness.json(response.bodyText()).get("cloud").asText());
            if (status == 404) { // a room list's rooms: a 404 is the list's address, not the cloud
                FakeHttpResponse list = HARNESS.listRooms(c.connectionId(), "roomList=nolist@contoso.com");
                assertEquals("not_found", ConnectorHarness.json(list.bodyText()).get("code").asText(), list.bodyText());
            }
        } finally {
            HARNESS.graph.scheduling().setPlacesRefusal(null, null, null);
            HARNESS.graph.scheduling().setPlacesServed(cloud, true);
        }
    }

    @Test
    void whenGraphIn21VianetServesPlacesThenItsRoomsAreListed() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.CHINA, "\"rooms\"");
        HARNESS.graph.scheduling().addRoom(c.user().tenantId(), FakeRoom.of("room1@contoso.cn", "Room 1", 6, "Beijing"));
        HARNESS.graph.scheduling().setPlacesServed(NationalCloud.CHINA, true);
        try {
            FakeHttpResponse response = HARNESS.listRooms(c.connectionId(), null);

            assertEquals(200, response.getStatusCode(), response.bodyText());
            assertEquals("room1@contoso.cn", ConnectorHarness.json(response.bodyText()).get("rooms").get(0).get("emailAddress").asText());
        } finally {
            HARNESS.graph.scheduling().setPlacesServed(NationalCloud.CHINA, false);
        }
    }

    @Test
    void whenGraphInTheUsGovernmentCloudDoesNotKnowPlacesThenNotSupportedInCloudAfterOneCall() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOVDOD, "\"rooms\"");
        HARNESS.graph.scheduling().setPlacesServed(NationalCloud.USGOVDOD, false);
        try {
            FakeHttpResponse response = HARNESS.listRooms(c.connectionId(), null);

            assertEquals(422, response.getStatusCode(), response.bodyText());
            assertEquals("usgovdod", ConnectorHarness.json(response.bodyText()).get("cloud").asText());
            assertEquals(1, requests(c, "/places/.*").size(), "refused for good: not retried");
        } finally {
            HARNESS.graph.scheduling().setPlacesServed(NationalCloud.USGOVDOD, true);
        }
    }

    @Test
    void whenTheRoomsFeatureIsMissingThenMissingPermissionsNamesPlaceReadAllAndGraphIsNotCalled() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"calendar\"");

        FakeHttpResponse response = HARNESS.listRooms(c.connectionId(), null);

        assertEquals(403, response.getStatusCode(), response.bodyText());
        JsonNode problem = ConnectorHarness.json(response.bodyText());
        assertEquals("missing_permissions", problem.get("code").asText());
        assertTrue(problem.get("detail").asText().contains("Place.Read.All"), problem.toString());
        assertTrue(requests(c, "/places.*").isEmpty());
    }

    @Test
    void whenFiltersAreGivenThenOnlyMatchingRoomsAndARoomListIsReadThroughGraphsRoomListPath() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"rooms\"");
        String tenant = c.user().tenantId();
        HARNESS.graph.scheduling().addRoomList(tenant, "hq-rooms@contoso.com", "HQ rooms");
        HARNESS.graph.scheduling().addRoom(tenant, FakeRoom.of("hq-small@contoso.com", "HQ small", 4, "HQ").inList("hq-rooms@contoso.com"));
        HARNESS.graph.scheduling().addRoom(tenant, FakeRoom.of("hq-big@contoso.com", "HQ big", 20, "hq").inList("hq-rooms@contoso.com"));
        HARNESS.graph.scheduling().addRoom(tenant, FakeRoom.of("annex-big@contoso.com", "Annex big", 30, "Annex"));
        HARNESS.graph.scheduling().addRoom(tenant, FakeRoom.of("unknown-size@contoso.com", "No capacity", null, "HQ"));

        List<String> byBuilding = addresses(HARNESS.listRooms(c.connectionId(), "building=HQ&minCapacity=10"));
        List<String> inList = addresses(HARNESS.listRooms(c.connectionId(), "roomList=hq-rooms%40contoso.com"));

        assertEquals(List.of("hq-big@contoso.com"), byBuilding, "building compared without case; no capacity = left out");
        assertEquals(List.of("hq-small@contoso.com", "hq-big@contoso.com"), inList);
        assertEquals(1, requests(c, "/places/hq-rooms@contoso.com/graph\\.roomList/rooms").size());
    }

    @Test
    void whenThereAreMoreRoomsThanAPageThenTheTokensWalkThroughEveryRoomOnceReadingGraphAHundredAtATime() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"rooms\"");
        for (int i = 0; i < 250; i++) {
            HARNESS.graph.scheduling().addRoom(c.user().tenantId(), FakeRoom.of(String.format("room%03d@contoso.com", i), "Room " + i, 6, "HQ"));
        }
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            JsonNode page = ConnectorHarness.json(HARNESS.listRooms(c.connectionId(), "pageSize=40"
                    + (token == null ? "" : "&pageToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8))).bodyText());
            page.get("rooms").forEach(r -> seen.add(r.get("emailAddress").asText()));
            token = page.hasNonNull("nextPageToken") ? page.get("nextPageToken").asText() : null;
            pages++;
        } while (token != null && pages < 20);

        assertEquals(7, pages, "250 rooms in pages of 40");
        assertEquals(250, seen.size());
        assertEquals(250, new HashSet<>(seen).size(), "no room twice");
        assertEquals("room000@contoso.com", seen.get(0));
        assertEquals("room249@contoso.com", seen.get(249));
        for (RecordedRequest r : requests(c, "/places/.*")) {
            assertTrue(r.query().contains("top=100"), "Graph read in pages of 100: " + r.query());
        }
    }

    @Test
    void whenFewRoomsMatchThenACallReadsAtMostTenGraphPagesAndContinuesWithAToken() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"rooms\"");
        for (int i = 0; i < 1200; i++) {
            HARNESS.graph.scheduling().addRoom(c.user().tenantId(), FakeRoom.of("r" + i + "@contoso.com", "R" + i, 4, i == 1150 ? "Far" : "Near"));
        }

        JsonNode first = ConnectorHarness.json(HARNESS.listRooms(c.connectionId(), "building=Far").bodyText());
        int callsAfterFirst = requests(c, "/places/.*").size();
        FakeHttpResponse secondResponse = HARNESS.listRooms(c.connectionId(), "building=Far&pageToken="
                + first.get("nextPageToken").asText());
        JsonNode second = ConnectorHarness.json(secondResponse.bodyText());

        assertEquals(0, first.get("rooms").size(), "1000 rooms looked at, none matched: an empty page with a token");
        assertEquals(10, callsAfterFirst);
        assertEquals(List.of("r1150@contoso.com"), addresses(secondResponse));
        assertNull(second.get("nextPageToken"), "the listing ended");
    }

    @Test
    void whenThePageTokenIsForgedOrTheFiltersChangedThenEachIsRefused() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"rooms\"");
        for (int i = 0; i < 3; i++) {
            HARNESS.graph.scheduling().addRoom(c.user().tenantId(), FakeRoom.of("t" + i + "@contoso.com", "T" + i, 4, "HQ"));
        }
        String token = ConnectorHarness.json(HARNESS.listRooms(c.connectionId(), "pageSize=1").bodyText()).get("nextPageToken").asText();

        FakeHttpResponse otherFilters = HARNESS.listRooms(c.connectionId(), "pageSize=1&building=HQ&pageToken=" + token);
        FakeHttpResponse forged = HARNESS.listRooms(c.connectionId(), "pageToken=cjEuOTk5LjAwMDAwMDAw");

        assertEquals(400, otherFilters.getStatusCode());
        assertTrue(otherFilters.bodyText().contains("other filters"), otherFilters.bodyText());
        assertEquals(400, forged.getStatusCode());
        assertEquals(200, HARNESS.listRooms(c.connectionId(), "pageSize=1&pageToken=" + token).getStatusCode());
    }

    @Test
    void whenTheQueryIsInvalidThenEveryFieldErrorIsListedAndGraphIsNotCalled() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"rooms\"");

        FakeHttpResponse response = HARNESS.listRooms(c.connectionId(), "minCapacity=0&pageSize=101&roomList=not-an-address&floor=3");

        assertEquals(400, response.getStatusCode());
        Set<String> fields = new HashSet<>();
        ConnectorHarness.json(response.bodyText()).get("errors").forEach(e -> fields.add(e.get("field").asText()));
        assertEquals(Set.of("minCapacity", "pageSize", "roomList", "floor"), fields);
        assertTrue(requests(c, "/places.*").isEmpty());
    }

    private static List<String> addresses(FakeHttpResponse response) {
        assertEquals(200, response.getStatusCode(), response.bodyText());
        List<String> result = new ArrayList<>();
        ConnectorHarness.json(response.bodyText()).get("rooms").forEach(r -> result.add(r.get("emailAddress").asText()));
        return result;
    }

    private static List<RecordedRequest> requests(ConnectorHarness.Connected c, String path) {
        return HARNESS.graph.requests("GET", path).stream().filter(r -> c.user().userPrincipalName().equals(r.userUpn())).toList();
    }
}
