package io.m365connector.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeHttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** GET /api/connections?ownerId=…: a web app finds its user's connections again, and only its user's. */
class ListConnectionsTest {
    private static final ConnectorHarness HARNESS = new ConnectorHarness();

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @Test
    void whenAWebAppLostItsConnectionIdsThenItFindsItsUsersConnectionsPageByPageNewestFirst() {
        String owner = "user-" + UUID.randomUUID();
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(0, start(owner));
            HARNESS.clock.advance(Duration.ofSeconds(1));
        }
        start("someone-else-" + UUID.randomUUID());

        List<String> listed = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            FakeHttpResponse page = HARNESS.listConnections("ownerId=" + encode(owner) + "&pageSize=2"
                    + (cursor == null ? "" : "&cursor=" + encode(cursor)), owner);
            assertEquals(200, page.getStatusCode(), page.bodyText());
            JsonNode body = ConnectorHarness.json(page.bodyText());
            assertEquals(owner, body.get("ownerId").asText());
            assertTrue(body.get("connections").size() <= 2);
            body.get("connections").forEach(c -> {
                listed.add(c.get("connectionId").asText());
                assertEquals(owner, c.get("ownerId").asText());
                assertEquals("pending", c.get("status").asText());
            });
            cursor = body.has("nextCursor") ? body.get("nextCursor").asText() : null;
            pages++;
        } while (cursor != null && pages < 10);

        assertEquals(created, listed);
        assertEquals(3, pages);
    }

    @Test
    void whenAStatusFilterIsGivenThenOnlyThoseStatusesAreListed() {
        String owner = "user-" + UUID.randomUUID();
        String pending = start(owner);
        String disconnected = start(owner);
        assertEquals(200, HARNESS.deleteConnection(disconnected).getStatusCode());

        assertEquals(Set.of(pending), ids(HARNESS.listConnections("ownerId=" + encode(owner) + "&status=pending", owner)));
        assertEquals(Set.of(disconnected), ids(HARNESS.listConnections("ownerId=" + encode(owner) + "&status=disconnected", owner)));
        assertEquals(Set.of(pending, disconnected), ids(HARNESS.listConnections("ownerId=" + encode(owner)
                + "&status=active,pending,disconnected", owner)));
        assertEquals(Set.of(), ids(HARNESS.listConnections("ownerId=" + encode(owner) + "&status=needs_reauth", owner)));
    }

    @Test
    void whenAConnectionIsActiveThenTheListShowsWhatTheStatusRouteShowsAndNothingSecret() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOV, "\"mail\"");
        FakeHttpResponse list = HARNESS.listConnections("ownerId=owner-1&status=active", "owner-1");

        JsonNode listed = null;
        for (JsonNode node : ConnectorHarness.json(list.bodyText()).get("connections")) {
            if (node.get("connectionId").asText().equals(c.connectionId())) {
                listed = node;
            }
        }
        assertEquals(ConnectorHarness.json(HARNESS.getConnection(c.connectionId()).bodyText()), listed);
        String text = list.bodyText().toLowerCase();
        for (String secret : List.of("token", "cache", "ciphertext", "secret", "refresh_token")) {
            assertFalse(text.contains("\"" + secret), "no " + secret + " field: " + list.bodyText());
        }
    }

    @Test
    void whenTheOwnerHeaderIsMissingOrAnotherOwnersThenNothingIsListedAndTheAnswerSaysWhy() {
        String owner = "user-" + UUID.randomUUID();
        start(owner);

        for (String header : new String[] {null, "mallory", owner.toUpperCase()}) {
            FakeHttpResponse refused = HARNESS.listConnections("ownerId=" + encode(owner), header);
            assertEquals(400, refused.getStatusCode());
            assertEquals("application/problem+json", refused.headers().get("Content-Type"));
            JsonNode problem = ConnectorHarness.json(refused.bodyText());
            assertEquals("invalid_request", problem.get("code").asText());
            assertEquals("X-Owner-Id", problem.get("errors").get(0).get("field").asText());
            assertFalse(refused.bodyText().contains("con_"), "no connection id in the refusal");
        }
    }

    @Test
    void whenParametersAreWrongThenEachIsNamedInOne400() {
        FakeHttpResponse refused = HARNESS.listConnections("ownerId=o1&pageSize=101&status=active,gone&sort=asc", "o1");

        assertEquals(400, refused.getStatusCode(), refused.bodyText());
        Set<String> fields = new TreeSet<>();
        ConnectorHarness.json(refused.bodyText()).get("errors").forEach(e -> fields.add(e.get("field").asText()));
        assertEquals(Set.of("pageSize", "status", "sort"), fields);
        assertEquals(400, HARNESS.listConnections("pageSize=10", "o1").getStatusCode(), "ownerId is required");
        assertEquals(400, HARNESS.listConnections("ownerId=o1&pageSize=0", "o1").getStatusCode());
        assertEquals(400, HARNESS.listConnections("ownerId=o1&pageSize=ten", "o1").getStatusCode());
    }

    @Test
    void whenACursorIsTamperedOrFromAnotherListingThenItIsRefused() {
        String owner = "user-" + UUID.randomUUID();
        start(owner);
        start(owner);
        String cursor = ConnectorHarness.json(HARNESS.listConnections("ownerId=" + encode(owner) + "&pageSize=1", owner).bodyText())
                .get("nextCursor").asText();

        assertEquals(200, HARNESS.listConnections("ownerId=" + encode(owner) + "&pageSize=1&cursor=" + cursor, owner).getStatusCode());
        assertCursorRefused(HARNESS.listConnections("ownerId=other&cursor=" + cursor, "other"));
        assertCursorRefused(HARNESS.listConnections("ownerId=" + encode(owner) + "&status=active&cursor=" + cursor, owner));
        assertCursorRefused(HARNESS.listConnections("ownerId=" + encode(owner) + "&cursor=" + cursor.substring(1), owner));
        assertCursorRefused(HARNESS.listConnections("ownerId=" + encode(owner) + "&cursor=%27%20or%20true", owner));
    }

    private static void assertCursorRefused(FakeHttpResponse response) {
        assertEquals(400, response.getStatusCode(), response.bodyText());
        assertEquals("cursor", ConnectorHarness.json(response.bodyText()).get("errors").get(0).get("field").asText());
    }

    private static String start(String owner) {
        FakeHttpResponse created = HARNESS.createConnection("{\"ownerId\":\"" + owner + "\",\"features\":[\"mail\"],\"cloud\":\"global\"}");
        assertEquals(201, created.getStatusCode(), created.bodyText());
        return ConnectorHarness.json(created.bodyText()).get("connectionId").asText();
    }

    private static Set<String> ids(FakeHttpResponse response) {
        assertEquals(200, response.getStatusCode(), response.bodyText());
        Set<String> ids = new TreeSet<>();
        ConnectorHarness.json(response.bodyText()).get("connections").forEach(c -> ids.add(c.get("connectionId").asText()));
        return ids;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
