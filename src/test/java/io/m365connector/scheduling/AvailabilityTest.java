package io.m365connector.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.graph.FakeRoom;
import io.m365connector.testing.graph.RecordedRequest;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** POST /connections/{id}/availability: Graph's getSchedule in every cloud, the request's time zone, the merged view. */
class AvailabilityTest {
    private static final ConnectorHarness HARNESS = new ConnectorHarness();
    /** 08:00-12:00 Pacific (UTC-8 in December) in one-hour slots. */
    private static final String WINDOW = "\"start\":{\"dateTime\":\"2026-12-01T08:00:00\",\"timeZone\":\"Pacific Standard Time\"},"
            + "\"end\":{\"dateTime\":\"2026-12-01T12:00:00\",\"timeZone\":\"Pacific Standard Time\"},\"intervalMinutes\":60";

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @ParameterizedTest
    @EnumSource(NationalCloud.class)
    void whenFreeBusyIsAskedThenEachScheduleAndTheMergedViewComeInTheRequestsTimeZone(NationalCloud cloud) {
        ConnectorHarness.Connected c = HARNESS.connect(cloud, "\"rooms\"");
        String user = c.user().userPrincipalName();
        String room = room(c);
        HARNESS.graph.scheduling().addBusy(user, Instant.parse("2026-12-01T17:00:00Z"), Instant.parse("2026-12-01T18:00:00Z"), "busy", "1:1");
        HARNESS.graph.scheduling().addBusy(room, Instant.parse("2026-12-01T18:30:00Z"), Instant.parse("2026-12-01T19:00:00Z"), "tentative",
                "Hold");
        HARNESS.graph.scheduling().setWorkingHours(user, EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(9, 0),
                LocalTime.of(17, 30), "Pacific Standard Time");

        FakeHttpResponse response = HARNESS.availability(c.connectionId(), "{\"schedules\":[\"" + user + "\",\"" + room + "\"]," + WINDOW + "}");

        assertEquals(200, response.getStatusCode(), response.bodyText());
        JsonNode body = ConnectorHarness.json(response.bodyText());
        assertEquals("Pacific Standard Time", body.get("timeZone").asText());
        JsonNode mine = body.get("schedules").get(0);
        assertEquals("0200", mine.get("availabilityView").asText());
        assertEquals("2026-12-01T09:00:00", mine.get("items").get(0).get("start").asText(), "17:00 UTC written as 09:00 Pacific");
        assertEquals("busy", mine.get("items").get(0).get("status").asText());
        assertEquals("09:00:00", mine.get("workingHours").get("startTime").asText());
        assertEquals("17:30:00", mine.get("workingHours").get("endTime").asText());
        assertEquals("Pacific Standard Time", mine.get("workingHours").get("timeZone").asText());
        assertTrue(mine.get("workingHours").get("daysOfWeek").toString().contains("monday"));
        assertEquals("0010", body.get("schedules").get(1).get("availabilityView").asText());
        assertEquals("0210", body.get("merged").get("availabilityView").asText());
        assertEquals("[{\"start\":\"2026-12-01T08:00:00\",\"end\":\"2026-12-01T09:00:00\"},"
                + "{\"start\":\"2026-12-01T11:00:00\",\"end\":\"2026-12-01T12:00:00\"}]", body.get("merged").get("free").toString());
        RecordedRequest call = getSchedule(c).get(0);
        assertEquals(cloud.graphHost(), call.host());
        assertEquals("outlook.timezone=\"Pacific Standard Time\"", call.header("Prefer"));
        JsonNode sent = ConnectorHarness.json(call.body());
        assertEquals(60, sent.path("AvailabilityViewInterval").asInt(sent.path("availabilityViewInterval").asInt()));
    }

    @Test
    void whenAnotherAnswerTimeZoneIsAskedThenGraphIsAskedForItAndTheWindowIsWrittenInIt() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"rooms\"");
        String user = c.user().userPrincipalName();
        HARNESS.graph.scheduling().addBusy(user, Instant.parse("2026-12-01T17:00:00Z"), Instant.parse("2026-12-01T18:00:00Z"), "oof", "Out");

        JsonNode body = ConnectorHarness.json(HARNESS.availability(c.connectionId(), "{\"schedules\":[\"" + user + "\"]," + WINDOW
                + ",\"timeZone\":\"Asia/Tokyo\"}").bodyText());

        assertEquals("Asia/Tokyo", body.get("timeZone").asText());
        assertEquals("2026-12-02T01:00:00", body.get("start").asText(), "08:00 Pacific = 01:00 next day in Tokyo");
        assertEquals("2026-12-02T02:00:00", body.get("schedules").get(0).get("items").get(0).get("start").asText());
        assertEquals("0300", body.get("merged").get("availabilityView").asText());
        assertEquals("outlook.timezone=\"Tokyo Standard Time\"", getSchedule(c).get(0).header("Prefer"), "its Windows name (TimeZones.windowsName)");
    }

    @Test
    void whenTheConnectionHasOnlyTheCalendarFeatureThenFreeBusyWorksWithItsPermission() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOV, "\"calendar\"");

        FakeHttpResponse response = HARNESS.availability(c.connectionId(), "{\"schedules\":[\"" + c.user().userPrincipalName() + "\"]," + WINDOW + "}");

        assertEquals(200, response.getStatusCode(), response.bodyText());
        assertEquals("0000", ConnectorHarness.json(response.bodyText()).get("merged").get("availabilityView").asText());
    }

    @Test
    void whenTheConnectionHasNoCalendarPermissionThenMissingPermissionsNamesEachAlternativeAndGraphIsNotCalled() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\"");

        FakeHttpResponse response = HARNESS.availability(c.connectionId(), "{\"schedules\":[\"a@contoso.com\"]," + WINDOW + "}");

        assertEquals(403, response.getStatusCode());
        String detail = ConnectorHarness.json(response.bodyText()).get("detail").asText();
        assertTrue(detail.contains("Calendars.ReadBasic") && detail.contains("Calendars.ReadWrite"), detail);
        assertTrue(getSchedule(c).isEmpty());
    }

    @Test
    void whenGraphCannotReadAScheduleThenItCarriesTheErrorAndTheMergeLeavesItOut() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.CHINA, "\"rooms\"");
        String stranger = "someone-" + UUID.randomUUID() + "@fabrikam.example";
        HARNESS.graph.scheduling().markUnknown(stranger);
        HARNESS.graph.scheduling().addBusy(c.user().userPrincipalName(), Instant.parse("2026-12-01T19:00:00Z"),
                Instant.parse("2026-12-01T20:00:00Z"), "busy", "Late");

        JsonNode body = ConnectorHarness.json(HARNESS.availability(c.connectionId(), "{\"schedules\":[\"" + c.user().userPrincipalName()
                + "\",\"" + stranger + "\"]," + WINDOW + "}").bodyText());

        assertEquals("ErrorMailRecipientNotFound", body.get("schedules").get(1).get("error").get("code").asText());
        assertFalse(body.get("schedules").get(1).has("items"));
        assertEquals("0002", body.get("merged").get("availabilityView").asText());
        assertEquals(stranger, body.get("merged").get("unreadable").get(0).asText());
    }

    @Test
    void whenGraphThrottlesThenTheReadIsRepeatedAfterRetryAfterWithoutARealSleep() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"rooms\"");
        HARNESS.graph.failNext("POST", "/me/calendar/getSchedule", 429, "TooManyRequests", "Slow down", 2, false);
        int sleepsBefore = HARNESS.sleeper.waits().size();

        FakeHttpResponse response = HARNESS.availability(c.connectionId(), "{\"schedules\":[\"" + c.user().userPrincipalName() + "\"]," + WINDOW + "}");

        assertEquals(200, response.getStatusCode(), response.bodyText());
        assertEquals(2, getSchedule(c).size());
        assertEquals(sleepsBefore + 1, HARNESS.sleeper.waits().size());
    }

    @Test
    void whenTheBodyIsInvalidThenEveryFieldErrorIsListed() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"rooms\"");
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            many.add("\"p" + i + "@contoso.com\"");
        }
        FakeHttpResponse tooMany = HARNESS.availability(c.connectionId(), "{\"schedules\":[" + String.join(",", many) + "],"
                + "\"start\":{\"dateTime\":\"2026-12-01T08:00:00\",\"timeZone\":\"Mars/Olympus\"},"
                + "\"end\":{\"dateTime\":\"2026-12-01T07:00:00\",\"timeZone\":\"UTC\"},\"intervalMinutes\":4,\"colour\":\"red\"}");
        FakeHttpResponse tooLong = HARNESS.availability(c.connectionId(), "{\"schedules\":[\"a@contoso.com\",\"A@contoso.com\"],"
                + "\"start\":{\"dateTime\":\"2026-12-01T08:00:00\",\"timeZone\":\"UTC\"},"
                + "\"end\":{\"dateTime\":\"2027-02-01T08:00:00\",\"timeZone\":\"UTC\"},\"timeZone\":\"Nowhere\"}");

        assertEquals(Set.of("schedules", "start.timeZone", "intervalMinutes", "colour"), fields(tooMany));
        assertEquals(Set.of("schedules[1]", "end", "timeZone"), fields(tooLong));
        assertTrue(tooLong.bodyText().contains("62 days"), tooLong.bodyText());
        assertTrue(getSchedule(c).isEmpty());
    }

    private static Set<String> fields(FakeHttpResponse response) {
        assertEquals(400, response.getStatusCode(), response.bodyText());
        Set<String> fields = new HashSet<>();
        ConnectorHarness.json(response.bodyText()).get("errors").forEach(e -> fields.add(e.get("field").asText()));
        return fields;
    }

    private static String room(ConnectorHarness.Connected c) {
        String address = "room-" + UUID.randomUUID().toString().substring(0, 8) + "@contoso.com";
        HARNESS.graph.scheduling().addRoom(c.user().tenantId(), FakeRoom.of(address, "Room", 8, "HQ"));
        return address;
    }

    private static List<RecordedRequest> getSchedule(ConnectorHarness.Connected c) {
        return HARNESS.graph.requests("POST", "/me/calendar/getSchedule").stream()
                .filter(r -> c.user().userPrincipalName().equals(r.userUpn())).toList();
    }
}
