package io.m365connector.actions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.app.ContextParts;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.graph.RecordedRequest;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Events over the real Graph SDK against the fake Graph at each cloud's host. */
class EventActionTest {
    private static final ConnectorHarness HARNESS = new ConnectorHarness();
    private static final String EVENT = "{\"subject\":\"Interview: Cand Idate\",\"start\":{\"dateTime\":\"2026-12-01T09:00:00\","
            + "\"timeZone\":\"Pacific Standard Time\"},\"end\":{\"dateTime\":\"2026-12-01T10:00:00\",\"timeZone\":\"Pacific Standard Time\"},"
            + "\"location\":\"Room 4\",\"body\":\"Bring your portfolio\",\"attendees\":[\"cand@fabrikam.com\","
            + "{\"address\":\"panel@contoso.com\",\"name\":\"Panel\",\"type\":\"optional\"},{\"address\":\"room4@contoso.com\",\"type\":\"resource\"}],"
            + "\"teamsMeeting\":true,\"reminderMinutesBeforeStart\":30}";

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @ParameterizedTest
    @EnumSource(NationalCloud.class)
    void whenAnEventIsCreatedThenGraphGetsTheEventWithATransactionIdAndTheAnswerHasIdLinkAndJoinUrl(NationalCloud cloud) {
        ConnectorHarness.Connected c = HARNESS.connect(cloud, "\"calendar\"");

        FakeHttpResponse response = HARNESS.createEvent(c.connectionId(), UUID.randomUUID().toString(), EVENT);

        assertEquals(201, response.getStatusCode(), response.bodyText());
        JsonNode body = ConnectorHarness.json(response.bodyText());
        assertFalse(body.get("eventId").asText().isBlank());
        assertTrue(body.get("webLink").asText().startsWith("https://"));
        assertTrue(body.get("joinUrl").asText().startsWith("https://"), body.toString());
        List<RecordedRequest> posts = requests(c, "POST", "/me/events");
        assertEquals(1, posts.size());
        assertEquals(cloud.graphHost(), posts.get(0).host());
        JsonNode sent = ConnectorHarness.json(posts.get(0).body());
        assertEquals("Interview: Cand Idate", sent.get("subject").asText());
        assertEquals("2026-12-01T09:00:00", sent.get("start").get("dateTime").asText());
        assertEquals("Pacific Standard Time", sent.get("start").get("timeZone").asText());
        assertEquals("Room 4", sent.get("location").get("displayName").asText());
        assertEquals("optional", sent.get("attendees").get(1).get("type").asText().toLowerCase());
        assertEquals("resource", sent.get("attendees").get(2).get("type").asText().toLowerCase());
        assertEquals(true, sent.get("isOnlineMeeting").asBoolean());
        assertEquals("teamsforbusiness", sent.get("onlineMeetingProvider").asText().toLowerCase());
        assertEquals(30, sent.get("reminderMinutesBeforeStart").asInt());
        assertFalse(sent.get("transactionId").asText().isBlank());
        assertEquals(1, HARNESS.graph.events(c.user().userPrincipalName()).size());
    }

    @Test
    void whenTheCreateIsRetriedAfterAnAmbiguousFailureThenGraphKeepsOneEvent() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOV, "\"calendar\"");
        HARNESS.graph.failNext("POST", "/me/events", 504, "GatewayTimeout", "The gateway timed out.", null, true);

        FakeHttpResponse response = HARNESS.createEvent(c.connectionId(), UUID.randomUUID().toString(), EVENT);

        assertEquals(201, response.getStatusCode(), response.bodyText());
        List<RecordedRequest> posts = requests(c, "POST", "/me/events");
        assertEquals(2, posts.size(), "retried once");
        assertEquals(ConnectorHarness.json(posts.get(0).body()).get("transactionId"), ConnectorHarness.json(posts.get(1).body()).get("transactionId"));
        assertEquals(1, HARNESS.graph.events(c.user().userPrincipalName()).size(), "Graph deduplicated by transactionId");
    }

    @Test
    void whenTheSameKeyIsReplayedThenNoSecondEventAndTheSameId() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"calendar\"");
        String key = UUID.randomUUID().toString();
        FakeHttpResponse first = HARNESS.createEvent(c.connectionId(), key, EVENT);
        FakeHttpResponse again = HARNESS.createEvent(c.connectionId(), key, EVENT);
        assertEquals(first.bodyText(), again.bodyText());
        assertEquals("true", again.getHeader("Idempotent-Replayed"));
        assertEquals(1, requests(c, "POST", "/me/events").size());
        assertEquals(422, HARNESS.createEvent(c.connectionId(), key, EVENT.replace("Room 4", "Room 5")).getStatusCode());
    }

    @Test
    void whenAnEventIsPatchedThenOnlyTheGivenFieldsAreSent() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.CHINA, "\"calendar\"");
        String id = ConnectorHarness.json(HARNESS.createEvent(c.connectionId(), null, EVENT).bodyText()).get("eventId").asText();

        FakeHttpResponse response = HARNESS.updateEvent(c.connectionId(), id, null, "{\"location\":\"Room 9\"}");

        assertEquals(200, response.getStatusCode(), response.bodyText());
        List<RecordedRequest> patches = requests(c, "PATCH", "/me/events/[^/]+");
        assertEquals(1, patches.size());
        JsonNode sent = ConnectorHarness.json(patches.get(0).body());
        assertEquals("Room 9", sent.get("location").get("displayName").asText());
        assertFalse(sent.has("subject") || sent.has("start") || sent.has("attendees"), sent.toString());
        assertEquals("Room 9", HARNESS.graph.events(c.user().userPrincipalName()).get(0).get("location").get("displayName").asText());
    }

    @Test
    void whenTheOrganizerDeletesAnEventWithAttendeesThenItIsCancelledWithTheMessage() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOVDOD, "\"calendar\"");
        String id = ConnectorHarness.json(HARNESS.createEvent(c.connectionId(), null, EVENT).bodyText()).get("eventId").asText();

        FakeHttpResponse response = HARNESS.cancelEvent(c.connectionId(), id, "comment=Position%20filled");

        assertEquals(200, response.getStatusCode(), response.bodyText());
        assertEquals("cancelled", ConnectorHarness.json(response.bodyText()).get("action").asText());
        assertEquals(3, ConnectorHarness.json(response.bodyText()).get("attendeesNotified").asInt());
        JsonNode cancellation = HARNESS.graph.cancellations(c.user().userPrincipalName()).get(0);
        assertEquals("Position filled", cancellation.get("comment").asText());
        assertEquals(0, HARNESS.graph.events(c.user().userPrincipalName()).size());
    }

    @Test
    void whenAnEventHasNoAttendeesOrIsSomeoneElsesThenItIsDeleted() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"calendar\"");
        String solo = ConnectorHarness.json(HARNESS.createEvent(c.connectionId(), null,
                EVENT.replaceAll(",\"attendees\":\\[[^\\]]*\\]", "")).bodyText()).get("eventId").asText();
        assertEquals("deleted", ConnectorHarness.json(HARNESS.cancelEvent(c.connectionId(), solo, null).bodyText()).get("action").asText());

        String invitation = HARNESS.graph.addInvitation(c.user().userPrincipalName(), ConnectorHarness.json(
                "{\"subject\":\"Their meeting\",\"attendees\":[{\"emailAddress\":{\"address\":\"x@contoso.com\"}}]}"));
        FakeHttpResponse response = HARNESS.cancelEvent(c.connectionId(), invitation, "comment=sorry");
        assertEquals("deleted", ConnectorHarness.json(response.bodyText()).get("action").asText());
        assertTrue(HARNESS.graph.cancellations(c.user().userPrincipalName()).isEmpty());
    }

    @Test
    void whenTheEventDoesNotExistThen404() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"calendar\"");
        FakeHttpResponse response = HARNESS.cancelEvent(c.connectionId(), "AAMkAGnotthere=", null);
        assertEquals(404, response.getStatusCode(), response.bodyText());
        assertEquals(400, HARNESS.cancelEvent(c.connectionId(), "bad/id", null).getStatusCode());
    }

    @Test
    void whenTheCalendarFeatureIsMissingThenMissingPermissionsAndNoGraphCall() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");
        FakeHttpResponse response = HARNESS.createEvent(c.connectionId(), null, EVENT);
        assertEquals(403, response.getStatusCode());
        assertEquals("missing_permissions", ConnectorHarness.json(response.bodyText()).get("code").asText());
        assertTrue(requests(c, "POST", "/me/events").isEmpty());
    }

    @Test
    void whenTheConnectionNeedsReauthThenActionsAre409BeforeAnyGraphCall() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"calendar\"");
        HARNESS.entra.revokeRefreshTokens(c.user());
        try {
            ContextParts.of(HARNESS.context).broker().refreshNow(c.connectionId());
        } catch (RuntimeException expected) {
            // marks needs_reauth
        }
        FakeHttpResponse response = HARNESS.createEvent(c.connectionId(), null, EVENT);
        assertEquals(409, response.getStatusCode());
        assertEquals("reauth_required", ConnectorHarness.json(response.bodyText()).get("code").asText());
        assertTrue(requests(c, "POST", "/me/events").isEmpty());
    }

    @Test
    void whenEventsGoToASharedCalendarThenTheSharedMailboxPathAndPermissionAreUsed() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"calendar\",\"shared_calendar\"");
        String shared = "recruiting-" + UUID.randomUUID().toString().substring(0, 6) + "@contoso.com";
        HARNESS.graph.grantMailboxAccess(c.user().userPrincipalName(), shared, true);

        FakeHttpResponse response = HARNESS.createEvent(c.connectionId(), null, EVENT.replace("{\"subject\"", "{\"calendarOwner\":\"" + shared + "\",\"subject\""));

        assertEquals(201, response.getStatusCode(), response.bodyText());
        assertEquals(shared, ConnectorHarness.json(response.bodyText()).get("calendarOwner").asText());
        assertEquals(1, HARNESS.graph.events(shared).size());
        String id = ConnectorHarness.json(response.bodyText()).get("eventId").asText();
        assertEquals(200, HARNESS.updateEvent(c.connectionId(), id, "calendarOwner=" + shared, "{\"subject\":\"Moved\"}").getStatusCode());
    }

    private static List<RecordedRequest> requests(ConnectorHarness.Connected c, String method, String path) {
        return HARNESS.graph.requests(method, path).stream().filter(r -> c.user().userPrincipalName().equals(r.userUpn())).toList();
    }
}
