package io.m365connector.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.platform.RequestValidationException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The request parsers of rooms, availability and meeting times on their own (no Graph, no storage). */
class SchedulingRequestTest {
    private static String window(String start, String end) {
        return "\"start\":{\"dateTime\":\"" + start + "\",\"timeZone\":\"UTC\"},\"end\":{\"dateTime\":\"" + end + "\",\"timeZone\":\"UTC\"}";
    }

    @Test
    void whenTheWindowIsJustUnder62DaysThenItIsTakenAndAt62DaysItIsRefused() {
        AvailabilityRequest ok = AvailabilityRequest.parse("{\"schedules\":[\"a@contoso.com\"]," + window("2026-12-01T00:00:00",
                "2027-01-31T23:59:00") + "}");
        RequestValidationException refused = assertThrows(RequestValidationException.class, () -> AvailabilityRequest.parse(
                "{\"schedules\":[\"a@contoso.com\"]," + window("2026-12-01T00:00:00", "2027-02-01T00:00:00") + "}"));

        assertEquals(30, ok.intervalMinutes(), "default slot");
        assertEquals("UTC", ok.window().timeZone(), "answered in the zone of start by default");
        assertEquals("end", refused.errors().get(0).field());
    }

    @Test
    void whenStartAndEndAreInDifferentZonesThenTheirOrderIsJudgedAsInstants() {
        RequestValidationException refused = assertThrows(RequestValidationException.class, () -> AvailabilityRequest.parse(
                "{\"schedules\":[\"a@contoso.com\"],\"start\":{\"dateTime\":\"2026-12-01T10:00:00\",\"timeZone\":\"UTC\"},"
                        + "\"end\":{\"dateTime\":\"2026-12-01T10:30:00\",\"timeZone\":\"W. Europe Standard Time\"}}"));
        assertEquals("end", refused.errors().get(0).field(), "10:30 in Berlin is 09:30 UTC, before the start");
    }

    @Test
    void whenMeetingTimesAreAskedWithDefaultsThenGraphsDefaultsApply() {
        MeetingTimesRequest r = MeetingTimesRequest.parse("{\"rooms\":[\"r@contoso.com\"]," + window("2026-12-01T08:00:00", "2026-12-01T09:00:00") + "}");

        assertEquals(Duration.ofMinutes(30), r.duration());
        assertEquals("work", r.activityDomain());
        assertEquals(50.0, r.minimumAttendeePercentage());
        assertEquals(10, r.maxCandidates());
        assertTrue(r.roomRequired(), "a room is required when rooms are given");
        assertFalse(r.organizerOptional());
        assertEquals(List.of(), r.attendees());
    }

    @Test
    void whenTheDurationEqualsTheWindowThenItIsTakenAndOneMinuteMoreIsRefused() {
        MeetingTimesRequest.parse("{\"durationMinutes\":60," + window("2026-12-01T08:00:00", "2026-12-01T09:00:00") + "}");
        RequestValidationException refused = assertThrows(RequestValidationException.class, () -> MeetingTimesRequest.parse(
                "{\"durationMinutes\":61," + window("2026-12-01T08:00:00", "2026-12-01T09:00:00") + "}"));
        assertEquals("durationMinutes", refused.errors().get(0).field());
    }

    @Test
    void whenAttendeesAndRoomsTogetherExceedNineteenThenRoomsIsNamed() {
        StringBuilder attendees = new StringBuilder();
        for (int i = 0; i < 15; i++) {
            attendees.append(i == 0 ? "" : ",").append("\"p").append(i).append("@contoso.com\"");
        }
        RequestValidationException refused = assertThrows(RequestValidationException.class, () -> MeetingTimesRequest.parse(
                "{\"attendees\":[" + attendees + "],\"rooms\":[\"r1@contoso.com\",\"r2@contoso.com\",\"r3@contoso.com\",\"r4@contoso.com\","
                        + "\"r5@contoso.com\"]," + window("2026-12-01T08:00:00", "2026-12-01T09:00:00") + "}"));
        assertEquals("rooms", refused.errors().get(0).field());
    }

    @Test
    void whenRoomsAreListedWithoutFiltersThenTheDefaultPageSizeAndAFingerprintedTokenAreUsed() {
        RoomsRequest first = RoomsRequest.parse(Map.of("code", "function-key"));
        String token = first.tokenFor(125);

        assertEquals(RoomsRequest.DEFAULT_PAGE_SIZE, first.pageSize());
        assertEquals(125, RoomsRequest.parse(Map.of("pageToken", token)).skip());
        assertThrows(RequestValidationException.class, () -> RoomsRequest.parse(Map.of("pageToken", token, "minCapacity", "4")));
        assertTrue(first.matches("anything", null), "no filters: every room");
        assertFalse(RoomsRequest.parse(Map.of("minCapacity", "4")).matches("HQ", null), "a room without capacity fails a capacity filter");
    }
}
