package io.m365connector.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.app.ContextParts;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.graph.FakeScheduling;
import io.m365connector.testing.graph.RecordedRequest;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * POST /connections/{id}/meeting-times: findMeetingTimes where the cloud has it, computed from getSchedule
 * in 21Vianet, one contract; and on the same data both ways give the same suggestions.
 */
class MeetingTimesTest {
    private static final ConnectorHarness HARNESS = new ConnectorHarness();
    private static final FakeScheduling FAKE = HARNESS.graph.scheduling();
    private static final ConnectorHarness.Connected GLOBAL = HARNESS.connect(NationalCloud.GLOBAL, "\"rooms\"");
    private static final ConnectorHarness.Connected CHINA = HARNESS.connect(NationalCloud.CHINA, "\"rooms\"");
    private static final List<String> PEOPLE = List.of("ann@fabrikam.example", "bo@fabrikam.example", "cy@fabrikam.example");
    private static final List<String> ROOMS = List.of("r1@contoso.com", "r2@contoso.com");
    private static final List<String> ZONES = List.of("UTC", "Pacific Standard Time", "W. Europe Standard Time", "Asia/Tokyo");
    /** Tuesday 1 to Thursday 3 December 2026, in UTC. */
    private static final Instant DAY_ONE = Instant.parse("2026-12-01T00:00:00Z");

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @ParameterizedTest
    @EnumSource(NationalCloud.class)
    void whenMeetingTimesAreAskedThenFindMeetingTimesAnswersWhereTheCloudHasItAndGetScheduleIn21Vianet(NationalCloud cloud) {
        ConnectorHarness.Connected c = cloud == NationalCloud.GLOBAL ? GLOBAL : cloud == NationalCloud.CHINA ? CHINA
                : HARNESS.connect(cloud, "\"rooms\"");
        reset(c);
        forgetRefusals();
        FAKE.addBusy(c.user().userPrincipalName(), Instant.parse("2026-12-01T09:00:00Z"), Instant.parse("2026-12-01T10:00:00Z"), "busy", "x");
        int findBefore = calls(c, "/me/findMeetingTimes").size();
        int scheduleBefore = calls(c, "/me/calendar/getSchedule").size();
        int allBefore = calls(c, "/me/.*").size();

        FakeHttpResponse response = HARNESS.meetingTimes(c.connectionId(), request("\"attendees\":[\"ann@fabrikam.example\"],"
                + "\"rooms\":[{\"address\":\"r1@contoso.com\",\"name\":\"Room One\"}],\"durationMinutes\":60,"
                + window("2026-12-01T08:00:00", "2026-12-01T12:00:00", "UTC") + ",\"maxCandidates\":2"));

        assertEquals(200, response.getStatusCode(), response.bodyText());
        JsonNode body = ConnectorHarness.json(response.bodyText());
        boolean china = cloud == NationalCloud.CHINA;
        assertEquals(china ? "getSchedule" : "findMeetingTimes", body.get("computedBy").asText());
        assertEquals("2026-12-01T08:00:00", body.get("suggestions").get(0).get("start").asText());
        assertEquals("2026-12-01T10:00:00", body.get("suggestions").get(1).get("start").asText(), "09:00-10:00 the organizer is busy");
        assertEquals("r1@contoso.com", body.get("suggestions").get(0).get("room").get("address").asText());
        assertEquals("Room One", body.get("suggestions").get(0).get("room").get("name").asText());
        assertEquals(100.0, body.get("suggestions").get(0).get("confidence").asDouble());
        assertEquals(1, calls(c, "/me/findMeetingTimes").size() - findBefore, "tried in 21Vianet too (its pages disagree)");
        assertEquals(china ? 1 : 0, calls(c, "/me/calendar/getSchedule").size() - scheduleBefore, "computed where Graph refused");
        for (RecordedRequest r : calls(c, "/me/.*").subList(allBefore, calls(c, "/me/.*").size())) {
            assertEquals(cloud.graphHost(), r.host());
            assertEquals("outlook.timezone=\"UTC\"", r.header("Prefer"));
        }
    }

    /** No report shows how 21Vianet refuses findMeetingTimes: a 404 or a 501 falls back to getSchedule as the segment refusal does. */
    @ParameterizedTest
    @ValueSource(ints = {404, 501})
    void whenGraphIn21VianetRefusesFindMeetingTimesOtherwiseThenTheTimesAreStillComputed(int status) {
        reset(CHINA);
        forgetRefusals();
        FAKE.setFindMeetingTimesRefusal(status, status == 404 ? "ResourceNotFound" : "NotImplemented", "Not available here.");
        try {
            FakeHttpResponse response = HARNESS.meetingTimes(CHINA.connectionId(), annOneMorning());

            assertEquals(200, response.getStatusCode(), response.bodyText());
            assertEquals("getSchedule", ConnectorHarness.json(response.bodyText()).get("computedBy").asText());
            int before = calls(CHINA, "/me/findMeetingTimes").size();
            HARNESS.meetingTimes(CHINA.connectionId(), annOneMorning());
            assertEquals(before + 1, calls(CHINA, "/me/findMeetingTimes").size(), "a refusal that may be this request's alone is not remembered");
        } finally {
            FAKE.setFindMeetingTimesRefusal(null, null, null);
        }
    }

    /** The beta findMeetingTimes page shows 21Vianet served, the v1.0 page does not: where its Graph answers, it is used. */
    @Test
    void whenGraphIn21VianetServesFindMeetingTimesThenItsSuggestionsAreTheAnswer() {
        reset(CHINA);
        forgetRefusals();
        FAKE.setFindMeetingTimesServed(NationalCloud.CHINA, true);
        try {
            FakeHttpResponse response = HARNESS.meetingTimes(CHINA.connectionId(), annOneMorning());

            assertEquals(200, response.getStatusCode(), response.bodyText());
            assertEquals("findMeetingTimes", ConnectorHarness.json(response.bodyText()).get("computedBy").asText());
        } finally {
            FAKE.setFindMeetingTimesServed(NationalCloud.CHINA, false);
        }
    }

    @Test
    void whenTheConnectionLacksFindMeetingTimesPermissionThenTheTimesAreComputedFromFreeBusy() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.USGOV, "\"calendar\"");

        JsonNode body = ConnectorHarness.json(HARNESS.meetingTimes(c.connectionId(), request(
                window("2026-12-01T08:00:00", "2026-12-01T09:00:00", "UTC"))).bodyText());

        assertEquals("getSchedule", body.get("computedBy").asText());
        assertEquals(2, body.get("suggestions").size(), "08:00 and 08:30, 30 minutes each");
        assertTrue(calls(c, "/me/findMeetingTimes").isEmpty());
    }

    @Test
    void whenEveryRoomIsBusyThenARequiredRoomLeavesNoSuggestionAndAnOptionalOneSuggestsWithoutARoom() {
        for (ConnectorHarness.Connected c : List.of(GLOBAL, CHINA)) {
            reset(c);
            for (String room : ROOMS) {
                FAKE.addBusy(room, DAY_ONE, DAY_ONE.plusSeconds(86_400), "busy", "Blocked");
            }
            String base = "\"rooms\":[\"r1@contoso.com\",\"r2@contoso.com\"]," + window("2026-12-01T08:00:00", "2026-12-01T10:00:00", "UTC");

            JsonNode required = ConnectorHarness.json(HARNESS.meetingTimes(c.connectionId(), request(base)).bodyText());
            JsonNode optional = ConnectorHarness.json(HARNESS.meetingTimes(c.connectionId(), request(base + ",\"roomRequired\":false")).bodyText());

            assertEquals(0, required.get("suggestions").size(), c.user().cloud() + ": " + required);
            assertEquals("locationsUnavailable", required.get("emptySuggestionsReason").asText());
            assertFalse(optional.get("suggestions").isEmpty());
            assertFalse(optional.get("suggestions").get(0).has("room"));
        }
    }

    @Test
    void whenTheOrganizerIsBusyThroughoutThenBothWaysSayOrganizerUnavailableUnlessTheOrganizerIsOptional() {
        for (ConnectorHarness.Connected c : List.of(GLOBAL, CHINA)) {
            reset(c);
            FAKE.addBusy(c.user().userPrincipalName(), DAY_ONE, DAY_ONE.plusSeconds(86_400), "oof", "Away");
            String base = "\"attendees\":[\"ann@fabrikam.example\"]," + window("2026-12-01T09:00:00", "2026-12-01T11:00:00", "UTC");

            JsonNode required = ConnectorHarness.json(HARNESS.meetingTimes(c.connectionId(), request(base)).bodyText());
            JsonNode optional = ConnectorHarness.json(HARNESS.meetingTimes(c.connectionId(), request(base + ",\"organizerOptional\":true"))
                    .bodyText());

            assertEquals("organizerUnavailable", required.get("emptySuggestionsReason").asText(), required.toString());
            assertEquals("oof", optional.get("suggestions").get(0).get("organizerAvailability").asText());
        }
    }

    static IntStream seeds() {
        return IntStream.range(1, 41);
    }

    /**
     * The same free/busy, working hours (in several zones), unknown attendees, rooms and constraints for a
     * global user (Graph's findMeetingTimes) and a 21Vianet user (computed from getSchedule): the same answer.
     */
    @ParameterizedTest
    @MethodSource("seeds")
    void whenTheSameCalendarsAreAskedBothWaysThenTheSuggestionsAreEqual(int seed) {
        Random random = new Random(seed);
        reset(GLOBAL);
        reset(CHINA);
        FAKE.answerValuesInPascalCase(seed % 2 == 1); // as Learn prints them ("Tentative"), or as the metadata names them
        List<String> attendees = PEOPLE.subList(0, random.nextInt(PEOPLE.size() + 1));
        for (String who : attendees) {
            calendar(who, random);
        }
        long organizerSeed = random.nextLong();
        calendar(GLOBAL.user().userPrincipalName(), new Random(organizerSeed));
        calendar(CHINA.user().userPrincipalName(), new Random(organizerSeed));
        if (!attendees.isEmpty() && random.nextInt(4) == 0) {
            FAKE.markUnknown(attendees.get(0));
        }
        List<String> rooms = ROOMS.subList(0, random.nextInt(ROOMS.size() + 1));
        for (String room : rooms) {
            for (int i = 0; i < 3; i++) {
                Instant start = DAY_ONE.plusSeconds(1800L * random.nextInt(144));
                FAKE.addBusy(room, start, start.plusSeconds(1800L * (1 + random.nextInt(6))), "busy", "Booked");
            }
        }
        String body = request(json(attendees, rooms, random));

        JsonNode found = ConnectorHarness.json(HARNESS.meetingTimes(GLOBAL.connectionId(), body).bodyText());
        JsonNode computed = ConnectorHarness.json(HARNESS.meetingTimes(CHINA.connectionId(), body).bodyText());

        assertEquals("findMeetingTimes", found.get("computedBy").asText(), found.toString());
        assertEquals("getSchedule", computed.get("computedBy").asText(), computed.toString());
        ((ObjectNode) found).remove("computedBy");
        ((ObjectNode) computed).remove("computedBy");
        ((ObjectNode) found).remove("connectionId");
        ((ObjectNode) computed).remove("connectionId");
        assertEquals(found, computed, "seed " + seed + ": " + body);
    }

    @Test
    void whenTheBodyIsInvalidThenEveryFieldErrorIsListedAndGraphIsNotCalled() {
        List<String> twenty = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            twenty.add("\"p" + i + "@contoso.com\"");
        }
        FakeHttpResponse response = HARNESS.meetingTimes(GLOBAL.connectionId(), "{\"attendees\":[" + String.join(",", twenty) + "],"
                + "\"roomRequired\":true,\"durationMinutes\":600,\"activityDomain\":\"leisure\",\"minimumAttendeePercentage\":101,"
                + "\"maxCandidates\":0," + window("2026-12-01T08:00:00", "2026-12-01T09:00:00", "UTC") + "}");
        FakeHttpResponse noWindow = HARNESS.meetingTimes(GLOBAL.connectionId(), "{\"attendees\":[\"a@contoso.com\"],"
                + "\"rooms\":[\"a@contoso.com\"]}");

        assertEquals(Set.of("attendees", "roomRequired", "durationMinutes", "activityDomain", "minimumAttendeePercentage", "maxCandidates"),
                fields(response));
        assertEquals(Set.of("rooms[0]", "start", "end"), fields(noWindow));
    }

    // ---------------------------------------------------------------- scenario helpers

    /** Working hours in a random zone (sometimes none set: the default), and a few random blocks over the three days. */
    private static void calendar(String who, Random random) {
        if (random.nextBoolean()) {
            int from = 6 + random.nextInt(5);
            FAKE.setWorkingHours(who, random.nextBoolean() ? EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY)
                    : EnumSet.of(DayOfWeek.TUESDAY, DayOfWeek.THURSDAY), LocalTime.of(from, random.nextBoolean() ? 0 : 30),
                    LocalTime.of(from + 6 + random.nextInt(5), 0), ZONES.get(random.nextInt(ZONES.size())));
        }
        List<String> statuses = List.of("busy", "tentative", "oof", "workingElsewhere", "free");
        for (int i = random.nextInt(6); i > 0; i--) {
            Instant start = DAY_ONE.plusSeconds(900L * random.nextInt(288));
            FAKE.addBusy(who, start, start.plusSeconds(900L * (1 + random.nextInt(12))), statuses.get(random.nextInt(statuses.size())), "b");
        }
    }

    private static String json(List<String> attendees, List<String> rooms, Random random) {
        StringBuilder b = new StringBuilder();
        b.append("\"attendees\":[").append(String.join(",", attendees.stream().map(a -> "\"" + a + "\"").toList())).append("],");
        b.append("\"rooms\":[").append(String.join(",", rooms.stream().map(a -> "\"" + a + "\"").toList())).append("],");
        if (!rooms.isEmpty()) {
            b.append("\"roomRequired\":").append(random.nextBoolean()).append(',');
        }
        b.append("\"durationMinutes\":").append(List.of(30, 45, 60, 90, 120).get(random.nextInt(5))).append(',');
        b.append("\"activityDomain\":\"").append(List.of("work", "personal", "unrestricted").get(random.nextInt(3))).append("\",");
        b.append("\"minimumAttendeePercentage\":").append(List.of(0, 34, 50, 67, 100).get(random.nextInt(5))).append(',');
        b.append("\"maxCandidates\":").append(1 + random.nextInt(30)).append(',');
        b.append("\"organizerOptional\":").append(random.nextInt(5) == 0).append(',');
        String zone = ZONES.get(random.nextInt(ZONES.size()));
        int startHour = random.nextInt(12);
        return b + window("2026-12-01T" + String.format("%02d", startHour) + ":" + (random.nextBoolean() ? "00" : "15") + ":00",
                "2026-12-0" + (2 + random.nextInt(2)) + "T" + String.format("%02d", random.nextInt(24)) + ":00:00", zone)
                + ",\"timeZone\":\"" + ZONES.get(random.nextInt(ZONES.size())) + "\"";
    }

    /** Meeting times with one attendee over a morning (the 21Vianet refusal tests' request). */
    private static String annOneMorning() {
        return request("\"attendees\":[\"ann@fabrikam.example\"]," + window("2026-12-01T08:00:00", "2026-12-01T12:00:00", "UTC"));
    }

    private static String window(String start, String end, String zone) {
        return "\"start\":{\"dateTime\":\"" + start + "\",\"timeZone\":\"" + zone + "\"},\"end\":{\"dateTime\":\"" + end
                + "\",\"timeZone\":\"" + zone + "\"}";
    }

    private static String request(String fields) {
        return "{" + fields + "}";
    }

    /** A refusal of findMeetingTimes is remembered for an hour (per instance): after that, 21Vianet is asked again. */
    @Test
    void whenGraphIn21VianetRefusedFindMeetingTimesThenItIsNotAskedAgainForAnHour() {
        reset(CHINA);
        forgetRefusals();
        String body = annOneMorning();
        int before = calls(CHINA, "/me/findMeetingTimes").size();

        assertEquals(200, HARNESS.meetingTimes(CHINA.connectionId(), body).getStatusCode());
        assertEquals(200, HARNESS.meetingTimes(CHINA.connectionId(), body).getStatusCode());
        assertEquals(1, calls(CHINA, "/me/findMeetingTimes").size() - before, "refused once, then computed at once");
        Instant now = HARNESS.clock.instant();
        HARNESS.clock.advance(MeetingTimeService.REMEMBER_REFUSAL.plusSeconds(1));
        try {
            assertEquals(200, HARNESS.meetingTimes(CHINA.connectionId(), body).getStatusCode());
            assertEquals(2, calls(CHINA, "/me/findMeetingTimes").size() - before, "asked again after the hour");
        } finally {
            HARNESS.clock.set(now); // the fake Entra ID signs with real time: later sign-ins of this class must not look expired
        }
    }

    /** Where Microsoft's pages say it is served, a refusal is one request's: the next one asks Graph again. */
    @Test
    void whenGraphInACloudThatServesFindMeetingTimesRefusesItOnceThenTheNextRequestAsksAgain() {
        reset(GLOBAL);
        forgetRefusals();
        String body = annOneMorning();
        int before = calls(GLOBAL, "/me/findMeetingTimes").size();
        FAKE.setFindMeetingTimesServed(NationalCloud.GLOBAL, false);
        try {
            assertEquals("getSchedule", ConnectorHarness.json(HARNESS.meetingTimes(GLOBAL.connectionId(), body).bodyText()).get("computedBy").asText());
        } finally {
            FAKE.setFindMeetingTimesServed(NationalCloud.GLOBAL, true);
        }
        assertEquals("findMeetingTimes", ConnectorHarness.json(HARNESS.meetingTimes(GLOBAL.connectionId(), body).bodyText()).get("computedBy").asText());
        assertEquals(before + 2, calls(GLOBAL, "/me/findMeetingTimes").size());
    }

    /** Each test asks as a new instance would, whatever an earlier one made 21Vianet refuse. */
    private static void forgetRefusals() {
        ContextParts.of(HARNESS.context).scheduling().meetingTimes().forgetRefusals();
    }

    @AfterEach
    void camelCaseAgain() {
        FAKE.answerValuesInPascalCase(false);
    }

    private static void reset(ConnectorHarness.Connected c) {
        Set<String> all = new HashSet<>(PEOPLE);
        all.addAll(ROOMS);
        all.add(c.user().userPrincipalName());
        FAKE.clearSchedules(all);
    }

    private static Set<String> fields(FakeHttpResponse response) {
        assertEquals(400, response.getStatusCode(), response.bodyText());
        Set<String> fields = new HashSet<>();
        ConnectorHarness.json(response.bodyText()).get("errors").forEach(e -> fields.add(e.get("field").asText()));
        return fields;
    }

    private static List<RecordedRequest> calls(ConnectorHarness.Connected c, String path) {
        return HARNESS.graph.requests("POST", path).stream().filter(r -> c.user().userPrincipalName().equals(r.userUpn())).toList();
    }
}
