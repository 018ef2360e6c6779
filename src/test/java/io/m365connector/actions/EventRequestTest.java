package io.m365connector.actions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.platform.RequestValidationException;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EventRequestTest {
    private static final String VALID = "{\"subject\":\"Interview\",\"start\":{\"dateTime\":\"2026-12-01T09:00:00\",\"timeZone\":\"Pacific Standard Time\"},"
            + "\"end\":{\"dateTime\":\"2026-12-01T10:00:00\",\"timeZone\":\"America/Los_Angeles\"},\"location\":\"Room 4\","
            + "\"attendees\":[\"a@contoso.com\",{\"address\":\"b@contoso.com\",\"type\":\"optional\"},{\"address\":\"room4@contoso.com\",\"type\":\"resource\"}],"
            + "\"teamsMeeting\":true,\"reminderMinutesBeforeStart\":15}";

    @Test
    void whenEventIsCompleteThenEveryFieldIsRead() {
        EventRequest r = EventRequest.parseCreate(VALID);
        assertEquals("Interview", r.subject());
        assertEquals("Pacific Standard Time", r.start().timeZone());
        assertEquals(3, r.attendees().size());
        assertEquals("resource", r.attendees().get(2).type());
        assertEquals(true, r.teamsMeeting());
        assertEquals(15, r.reminderMinutesBeforeStart());
        assertNull(r.calendarOwner());
    }

    @Test
    void whenEndIsNotAfterStartAcrossZonesThenItIsRefused() {
        // 09:00 in New York is 06:00 in Los Angeles: the end (08:00 LA) is after; 05:00 LA is before.
        String ok = "{\"subject\":\"s\",\"start\":{\"dateTime\":\"2026-12-01T09:00:00\",\"timeZone\":\"Eastern Standard Time\"},"
                + "\"end\":{\"dateTime\":\"2026-12-01T08:00:00\",\"timeZone\":\"America/Los_Angeles\"}}";
        EventRequest.parseCreate(ok);
        String bad = ok.replace("T08:00:00", "T05:00:00");
        RequestValidationException e = assertThrows(RequestValidationException.class, () -> EventRequest.parseCreate(bad));
        assertEquals("end", e.errors().get(0).field());
    }

    @Test
    void whenTimeZoneOrDateIsUnknownThenTheFieldIsNamed() {
        RequestValidationException e = assertThrows(RequestValidationException.class, () -> EventRequest.parseCreate(
                "{\"subject\":\"s\",\"start\":{\"dateTime\":\"2026-13-01T09:00:00\",\"timeZone\":\"UTC\"},"
                        + "\"end\":{\"dateTime\":\"2026-12-01T10:00:00\",\"timeZone\":\"Mars/Olympus\"},\"attendees\":[{\"address\":\"a@contoso.com\",\"type\":\"vip\"}]}"));
        var fields = e.errors().stream().map(RequestValidationException.FieldError::field).collect(Collectors.toSet());
        assertEquals(Set.of("start.dateTime", "end.timeZone", "attendees[0].type"), fields);
    }

    @Test
    void whenRequiredFieldsAreMissingOnCreateThenAllAreListed() {
        RequestValidationException e = assertThrows(RequestValidationException.class, () -> EventRequest.parseCreate("{}"));
        var fields = e.errors().stream().map(RequestValidationException.FieldError::field).collect(Collectors.toSet());
        assertEquals(Set.of("subject", "start", "end"), fields);
    }

    @Test
    void whenUpdatingThenOnlyGivenFieldsAreSetAndTimesComeTogether() {
        EventRequest r = EventRequest.parseUpdate("{\"location\":{\"displayName\":\"Room 9\"}}");
        assertEquals("Room 9", r.location());
        assertNull(r.subject());
        assertNull(r.start());
        assertNull(r.attendees());
        RequestValidationException e = assertThrows(RequestValidationException.class, () -> EventRequest.parseUpdate(
                "{\"start\":{\"dateTime\":\"2026-12-01T09:00:00\",\"timeZone\":\"UTC\"}}"));
        assertTrue(e.errors().get(0).message().contains("together"));
        assertThrows(RequestValidationException.class, () -> EventRequest.parseUpdate("{\"calendarOwner\":\"x@contoso.com\"}"));
    }
}
