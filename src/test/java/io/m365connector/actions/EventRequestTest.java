package io.m365connector.actions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.platform.Json;
import io.m365connector.platform.RequestValidationException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    /** docs/API.md's event limits, at the limit (read) and one over (refused, the field named). */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"subject,255", "location,255", "body,1000000", "attendees,500"})
    void whenAFieldIsAtItsDocumentedLimitThenItIsReadAndOneMoreIsRefused(String field, int limit) {
        EventRequest.parseCreate(withEventField(field, limit));

        RequestValidationException e = assertThrows(RequestValidationException.class, () -> EventRequest.parseCreate(withEventField(field, limit + 1)));

        assertEquals(List.of(field), e.errors().stream().map(RequestValidationException.FieldError::field).distinct().toList());
    }

    private static String withEventField(String field, int size) {
        ObjectNode event = Json.MAPPER.createObjectNode().put("subject", "s");
        event.putObject("start").put("dateTime", "2026-12-01T09:00:00").put("timeZone", "UTC");
        event.putObject("end").put("dateTime", "2026-12-01T10:00:00").put("timeZone", "UTC");
        if (field.equals("attendees")) {
            ArrayNode attendees = event.putArray("attendees");
            for (int i = 0; i < size; i++) {
                attendees.add("a" + i + "@contoso.com");
            }
        } else {
            event.put(field, "x".repeat(size));
        }
        return event.toString();
    }
}
