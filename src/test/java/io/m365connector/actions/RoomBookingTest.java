package io.m365connector.actions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.graph.FakeRoom;
import io.m365connector.testing.graph.RecordedRequest;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Booking rooms with POST events (rooms), and reading each attendee's answer back with GET events/{eventId}. */
class RoomBookingTest {
    private static final ConnectorHarness HARNESS = new ConnectorHarness();
    /** 10:00-11:00 UTC on 1 December 2026. */
    private static final String TIMES = "\"start\":{\"dateTime\":\"2026-12-01T10:00:00\",\"timeZone\":\"UTC\"},"
            + "\"end\":{\"dateTime\":\"2026-12-01T11:00:00\",\"timeZone\":\"UTC\"}";

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @ParameterizedTest
    @EnumSource(NationalCloud.class)
    void whenAnEventBooksAFreeRoomThenTheRoomIsTheLocationAndAResourceAttendeeAndItsAcceptanceShowsOnGet(NationalCloud cloud) {
        ConnectorHarness.Connected c = HARNESS.connect(cloud, "\"calendar\"");
        String room = room(c, FakeRoom.Response.ACCEPT_IF_FREE);

        FakeHttpResponse created = HARNESS.createEvent(c.connectionId(), UUID.randomUUID().toString(), "{\"subject\":\"Interview\"," + TIMES
                + ",\"attendees\":[\"cand@fabrikam.com\"],\"rooms\":[{\"address\":\"" + room + "\",\"name\":\"Board Room\"}]}");

        assertEquals(201, created.getStatusCode(), created.bodyText());
        JsonNode sent = ConnectorHarness.json(posts(c).get(0).body());
        assertEquals("Board Room", sent.get("location").get("displayName").asText());
        assertEquals(room, sent.get("location").get("locationEmailAddress").asText());
        assertEquals("conferenceroom", sent.get("location").get("locationType").asText().toLowerCase());
        assertEquals(room, sent.get("locations").get(0).get("locationEmailAddress").asText());
        assertEquals(2, sent.get("attendees").size());
        assertEquals(room, sent.get("attendees").get(1).get("emailAddress").get("address").asText());
        assertEquals("resource", sent.get("attendees").get(1).get("type").asText().toLowerCase());

        JsonNode event = get(c, ConnectorHarness.json(created.bodyText()).get("eventId").asText());
        assertEquals("Board Room", event.get("location").asText());
        assertEquals("accepted", event.get("rooms").get(0).get("response").asText());
        assertEquals(room, event.get("rooms").get(0).get("address").asText());
        assertTrue(event.get("roomsAccepted").asBoolean());
        assertEquals("none", event.get("attendees").get(0).get("response").asText(), "the candidate has not answered");
        assertEquals("required", event.get("attendees").get(0).get("type").asText());
        assertEquals("2026-12-01T10:00:00", event.get("start").get("dateTime").asText().substring(0, 19));
        assertTrue(event.get("rooms").get(0).hasNonNull("respondedAt"));
    }

    @Test
    void whenTheRoomIsAlreadyBookedThenItDeclinesAndTheEventSaysTheBookingDidNotHold() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"calendar\"");
        String room = room(c, FakeRoom.Response.ACCEPT_IF_FREE);
        HARNESS.graph.scheduling().addBusy(room, Instant.parse("2026-12-01T10:30:00Z"), Instant.parse("2026-12-01T11:30:00Z"), "busy", "Taken");

        JsonNode event = get(c, book(c, room));

        assertEquals("declined", event.get("rooms").get(0).get("response").asText());
        assertFalse(event.get("roomsAccepted").asBoolean());
    }

    @Test
    void whenTheSameRoomIsBookedTwiceForTheSameTimeThenTheSecondBookingIsDeclined() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOV, "\"calendar\"");
        String room = room(c, FakeRoom.Response.ACCEPT_IF_FREE);

        JsonNode first = get(c, book(c, room));
        JsonNode second = get(c, book(c, room));

        assertEquals("accepted", first.get("rooms").get(0).get("response").asText());
        assertEquals("declined", second.get("rooms").get(0).get("response").asText());
    }

    @Test
    void whenARoomDeclinesOrOnlyTentativelyAcceptsThenEachAnswerIsReportedAsItIs() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.CHINA, "\"calendar\"");
        String restricted = room(c, FakeRoom.Response.DECLINE);
        String delegated = room(c, FakeRoom.Response.TENTATIVE);
        String silent = room(c, FakeRoom.Response.NONE);

        FakeHttpResponse created = HARNESS.createEvent(c.connectionId(), null, "{\"subject\":\"Panel\"," + TIMES + ",\"rooms\":[\"" + restricted
                + "\",\"" + delegated + "\",\"" + silent + "\"]}");
        JsonNode event = get(c, ConnectorHarness.json(created.bodyText()).get("eventId").asText());

        assertEquals(List.of("declined", "tentative", "none"), List.of(event.get("rooms").get(0).get("response").asText(),
                event.get("rooms").get(1).get("response").asText(), event.get("rooms").get(2).get("response").asText()));
        assertFalse(event.get("roomsAccepted").asBoolean());
        assertEquals(restricted, event.get("location").asText(), "the first room names the location");
    }

    @Test
    void whenAnUpdateMovesTheMeetingToAnotherRoomThenLocationAndAttendeesAreSentTogether() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOVDOD, "\"calendar\"");
        String id = book(c, room(c, FakeRoom.Response.ACCEPT_IF_FREE));
        String other = room(c, FakeRoom.Response.ACCEPT_IF_FREE);

        FakeHttpResponse response = HARNESS.updateEvent(c.connectionId(), id, null, "{\"attendees\":[\"cand@fabrikam.com\"],\"rooms\":[\"" + other
                + "\"]}");

        assertEquals(200, response.getStatusCode(), response.bodyText());
        RecordedRequest patch = HARNESS.graph.requests("PATCH", "/me/events/[^/]+").stream()
                .filter(r -> c.user().userPrincipalName().equals(r.userUpn())).toList().get(0);
        JsonNode sent = ConnectorHarness.json(patch.body());
        assertEquals(other, sent.get("location").get("locationEmailAddress").asText());
        assertEquals(other, sent.get("attendees").get(1).get("emailAddress").get("address").asText());
    }

    /**
     * API.md: a PATCH changes only the fields given. Graph replaces the whole attendee list (Learn, event: update), so
     * attendees sent without the room would cancel its booking while the location still named it.
     */
    @Test
    void whenAnUpdateChangesOnlyTheAttendeesThenTheBookedRoomStaysBookedWithItsAnswer() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"calendar\"");
        String booked = room(c, FakeRoom.Response.ACCEPT_IF_FREE);
        String id = book(c, booked);
        assertEquals("accepted", get(c, id).get("rooms").get(0).get("response").asText());

        FakeHttpResponse response = HARNESS.updateEvent(c.connectionId(), id, null,
                "{\"attendees\":[\"cand@fabrikam.com\",{\"address\":\"panel@contoso.com\",\"type\":\"optional\"}]}");

        assertEquals(200, response.getStatusCode(), response.bodyText());
        JsonNode event = get(c, id);
        assertEquals(1, event.get("rooms").size(), event.toString());
        assertEquals(booked, event.get("rooms").get(0).get("address").asText());
        assertEquals("accepted", event.get("rooms").get(0).get("response").asText(), "the room's answer stands");
        assertTrue(event.get("roomsAccepted").asBoolean());
        assertEquals(3, event.get("attendees").size(), "the two people and the room: " + event);
        // the room's calendar still holds the time: a second booking of it is declined
        ConnectorHarness.Connected other = HARNESS.connect(NationalCloud.GLOBAL, "\"calendar\"");
        HARNESS.graph.scheduling().addRoom(other.user().tenantId(), FakeRoom.of(booked, booked, 8, "HQ"));
        assertEquals("declined", get(other, book(other, booked)).get("rooms").get(0).get("response").asText());
    }

    @Test
    void whenAnUpdateGivesNoRoomsThenTheRoomsLeaveTheMeetingAndTheirTimeIsFree() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"calendar\"");
        String booked = room(c, FakeRoom.Response.ACCEPT_IF_FREE);
        String id = book(c, booked);

        FakeHttpResponse response = HARNESS.updateEvent(c.connectionId(), id, null, "{\"attendees\":[\"cand@fabrikam.com\"],\"rooms\":[],"
                + "\"location\":\"Teams only\"}");

        assertEquals(200, response.getStatusCode(), response.bodyText());
        JsonNode event = get(c, id);
        assertEquals(0, event.path("rooms").size(), event.toString());
        assertEquals("Teams only", event.get("location").asText());
        assertEquals("accepted", get(c, book(c, booked)).get("rooms").get(0).get("response").asText(), "its time was released");
        assertEquals(400, HARNESS.createEvent(c.connectionId(), null, "{\"subject\":\"x\"," + TIMES + ",\"rooms\":[]}").getStatusCode(),
                "a create with no room is refused as before");
        FakeHttpResponse contradictory = HARNESS.updateEvent(c.connectionId(), id, null, "{\"attendees\":[\"cand@fabrikam.com\",{\"address\":\""
                + booked + "\",\"type\":\"resource\"}],\"rooms\":[]}");
        assertEquals(Set.of("attendees[1]"), fields(contradictory), "releasing the rooms while inviting one again is refused");
    }

    /** EventDetails lists every resource attendee under rooms: one invited as an attendee of type resource is kept too. */
    @Test
    void whenARoomWasInvitedAsAResourceAttendeeThenAnAttendeesUpdateKeepsItToo() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"calendar\"");
        String booked = room(c, FakeRoom.Response.ACCEPT_IF_FREE);
        FakeHttpResponse created = HARNESS.createEvent(c.connectionId(), null, "{\"subject\":\"Interview\"," + TIMES
                + ",\"attendees\":[\"cand@fabrikam.com\",{\"address\":\"" + booked + "\",\"type\":\"resource\"}]}");
        String id = ConnectorHarness.json(created.bodyText()).get("eventId").asText();

        assertEquals(200, HARNESS.updateEvent(c.connectionId(), id, null, "{\"attendees\":[\"lee@contoso.com\"]}").getStatusCode());

        JsonNode event = get(c, id);
        assertEquals(booked, event.get("rooms").get(0).get("address").asText(), event.toString());
        assertEquals("accepted", event.get("rooms").get(0).get("response").asText());
    }

    /** A room answers an updated request again: moved to a time it is busy, it declines (the fake no longer keeps the old answer). */
    @Test
    void whenAnUpdateMovesTheMeetingToATimeTheRoomIsBusyThenTheRoomDeclines() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"calendar\"");
        String booked = room(c, FakeRoom.Response.ACCEPT_IF_FREE);
        String id = book(c, booked);
        HARNESS.graph.scheduling().addBusy(booked, Instant.parse("2026-12-01T14:00:00Z"), Instant.parse("2026-12-01T15:00:00Z"), "busy", "other");

        assertEquals(200, HARNESS.updateEvent(c.connectionId(), id, null, "{\"start\":{\"dateTime\":\"2026-12-01T14:00:00\",\"timeZone\":"
                + "\"UTC\"},\"end\":{\"dateTime\":\"2026-12-01T15:00:00\",\"timeZone\":\"UTC\"}}").getStatusCode());

        assertEquals("declined", get(c, id).get("rooms").get(0).get("response").asText());
    }

    @Test
    void whenAnUpdateMovesTheMeetingToAnotherRoomThenTheFirstRoomIsFreeAgain() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"calendar\"");
        String first = room(c, FakeRoom.Response.ACCEPT_IF_FREE);
        String id = book(c, first);
        String second = room(c, FakeRoom.Response.ACCEPT_IF_FREE);

        assertEquals(200, HARNESS.updateEvent(c.connectionId(), id, null, "{\"attendees\":[\"cand@fabrikam.com\"],\"rooms\":[\"" + second
                + "\"]}").getStatusCode());

        JsonNode event = get(c, id);
        assertEquals(List.of(second), List.of(event.get("rooms").get(0).get("address").asText()), event.toString());
        assertEquals(1, event.get("rooms").size(), "the first room left the meeting: " + event);
        assertEquals("accepted", get(c, book(c, first)).get("rooms").get(0).get("response").asText(), "its time was released");
    }

    @Test
    void whenRoomsConflictWithOtherFieldsThenEveryFieldErrorIsListedAndNothingIsBooked() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"calendar\"");

        FakeHttpResponse create = HARNESS.createEvent(c.connectionId(), null, "{\"subject\":\"x\"," + TIMES + ",\"location\":\"Room 4\","
                + "\"attendees\":[{\"address\":\"r@contoso.com\",\"type\":\"resource\"}],\"rooms\":[\"r@contoso.com\",\"R@contoso.com\",\"bad\"]}");
        FakeHttpResponse patch = HARNESS.updateEvent(c.connectionId(), "AAMkAGI1AAA=", null, "{\"rooms\":[]}");

        assertEquals(Set.of("location", "attendees[0]", "rooms[1]", "rooms[2]"), fields(create));
        assertEquals(Set.of("attendees"), fields(patch), "an update's empty rooms releases them, with the attendees to keep");
        assertTrue(posts(c).isEmpty());
    }

    @Test
    void whenAnEventIsReadThatDoesNotExistOrWithAMalformedIdThen404And400AndWithoutCalendarPermissionMissingPermissions() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"calendar\"");
        ConnectorHarness.Connected mailOnly = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");

        FakeHttpResponse missing = HARNESS.getEvent(c.connectionId(), "AAMkAGnotthere=", null);
        assertEquals(404, missing.getStatusCode());
        // TROUBLESHOOTING: not_found with graphCode is Graph's item (the connection is fine); without it, the connection
        assertEquals("not_found", ConnectorHarness.json(missing.bodyText()).path("code").asText());
        assertEquals("ErrorItemNotFound", ConnectorHarness.json(missing.bodyText()).path("graphCode").asText(), missing.bodyText());
        FakeHttpResponse noConnection = HARNESS.getEvent("con_" + "0".repeat(32), "AAMkAGnotthere=", null);
        assertEquals(404, noConnection.getStatusCode());
        assertTrue(ConnectorHarness.json(noConnection.bodyText()).path("graphCode").isMissingNode(), noConnection.bodyText());
        assertEquals(400, HARNESS.getEvent(c.connectionId(), "bad/id", null).getStatusCode());
        FakeHttpResponse denied = HARNESS.getEvent(mailOnly.connectionId(), "AAMkAGnotthere=", null);
        assertEquals("missing_permissions", ConnectorHarness.json(denied.bodyText()).get("code").asText());
    }

    private static String room(ConnectorHarness.Connected c, FakeRoom.Response response) {
        String address = "room-" + UUID.randomUUID().toString().substring(0, 8) + "@contoso.com";
        HARNESS.graph.scheduling().addRoom(c.user().tenantId(), FakeRoom.of(address, address, 8, "HQ"));
        HARNESS.graph.scheduling().setRoomResponse(address, response);
        return address;
    }

    private static String book(ConnectorHarness.Connected c, String room) {
        FakeHttpResponse created = HARNESS.createEvent(c.connectionId(), null, "{\"subject\":\"Interview\"," + TIMES
                + ",\"attendees\":[\"cand@fabrikam.com\"],\"rooms\":[\"" + room + "\"]}");
        assertEquals(201, created.getStatusCode(), created.bodyText());
        return ConnectorHarness.json(created.bodyText()).get("eventId").asText();
    }

    private static JsonNode get(ConnectorHarness.Connected c, String eventId) {
        FakeHttpResponse response = HARNESS.getEvent(c.connectionId(), eventId, null);
        assertEquals(200, response.getStatusCode(), response.bodyText());
        return ConnectorHarness.json(response.bodyText());
    }

    private static Set<String> fields(FakeHttpResponse response) {
        assertEquals(400, response.getStatusCode(), response.bodyText());
        Set<String> fields = new HashSet<>();
        ConnectorHarness.json(response.bodyText()).get("errors").forEach(e -> fields.add(e.get("field").asText()));
        return fields;
    }

    private static List<RecordedRequest> posts(ConnectorHarness.Connected c) {
        return HARNESS.graph.requests("POST", "/me/events").stream().filter(r -> c.user().userPrincipalName().equals(r.userUpn())).toList();
    }
}
