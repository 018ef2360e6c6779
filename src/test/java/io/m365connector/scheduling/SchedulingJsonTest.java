package io.m365connector.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.JsonParser;
import com.microsoft.graph.models.ActivityDomain;
import com.microsoft.graph.models.AttendeeBase;
import com.microsoft.graph.models.AttendeeType;
import com.microsoft.graph.models.DateTimeTimeZone;
import com.microsoft.graph.models.EmailAddress;
import com.microsoft.graph.models.LocationConstraint;
import com.microsoft.graph.models.LocationConstraintItem;
import com.microsoft.graph.models.ScheduleInformation;
import com.microsoft.graph.models.ScheduleItem;
import com.microsoft.graph.models.TimeConstraint;
import com.microsoft.graph.models.TimeSlot;
import com.microsoft.graph.users.item.calendar.getschedule.GetSchedulePostRequestBody;
import com.microsoft.graph.users.item.findmeetingtimes.FindMeetingTimesPostRequestBody;
import com.microsoft.kiota.PeriodAndDuration;
import com.microsoft.kiota.serialization.JsonParseNode;
import com.microsoft.kiota.serialization.JsonSerializationWriter;
import com.microsoft.kiota.serialization.Parsable;
import io.m365connector.outlook.MailRecipient;
import io.m365connector.platform.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * getSchedule and findMeetingTimes are written and read with Jackson: each body must be what the SDK's models sent (the
 * SDK-model code is kept here as the reference), and each answer must read as the SDK read it where the SDK could read
 * it. Where it could not, Graph's values in PascalCase (Learn's examples: "Tentative", "Busy", "AttendeesUnavailable",
 * which the SDK's enums read as nothing, so a tentative hold counted as busy), the answer reads them as their members.
 */
class SchedulingJsonTest {
    private static final String WINDOW = "\"start\":{\"dateTime\":\"2018-08-06T09:00:00\",\"timeZone\":\"Pacific Standard Time\"},"
            + "\"end\":{\"dateTime\":\"2018-08-06T18:00:00\",\"timeZone\":\"Pacific Standard Time\"}";

    /** Learn, "Get free/busy schedule of users and resources": the example answer, as it is printed there. */
    private static final String LEARN_SCHEDULE = "{\"scheduleId\":\"AlexW@contoso.com\",\"availabilityView\":\"111111002222222200000000000000000000\","
            + "\"scheduleItems\":[{\"status\":\"Tentative\",\"start\":{\"dateTime\":\"2018-08-06T09:00:00.0000000\",\"timeZone\":\"UTC\"},"
            + "\"end\":{\"dateTime\":\"2018-08-06T10:30:00.0000000\",\"timeZone\":\"UTC\"}},"
            + "{\"status\":\"Busy\",\"start\":{\"dateTime\":\"2018-08-06T11:00:00.0000000\",\"timeZone\":\"UTC\"},"
            + "\"end\":{\"dateTime\":\"2018-08-06T13:00:00.0000000\",\"timeZone\":\"UTC\"}}],"
            + "\"workingHours\":{\"daysOfWeek\":[\"monday\",\"tuesday\",\"wednesday\",\"thursday\",\"friday\"],"
            + "\"startTime\":\"08:00:00.0000000\",\"endTime\":\"17:00:00.0000000\",\"timeZone\":{\"name\":\"Pacific Standard Time\"}}}";

    @Test
    void whenFreeBusyIsAskedThenTheBodyIsWhatTheGraphSdkModelWouldSend() throws Exception {
        AvailabilityRequest request = AvailabilityRequest.parse("{\"schedules\":[\"adele@contoso.com\",\"room4@contoso.com\"]," + WINDOW
                + ",\"intervalMinutes\":15}");
        GetSchedulePostRequestBody sdk = new GetSchedulePostRequestBody();
        sdk.setSchedules(request.schedules());
        sdk.setStartTime(request.window().start().toGraph());
        sdk.setEndTime(request.window().end().toGraph());
        sdk.setAvailabilityViewInterval(15);

        assertEquals(Json.MAPPER.readTree(sdk(sdk)), Json.MAPPER.readTree(Schedules.body(request.schedules(), request.window(), 15)));
    }

    @Test
    void whenMeetingTimesAreAskedThenTheBodyIsWhatTheGraphSdkModelWouldSend() throws Exception {
        for (String json : List.of("{\"attendees\":[\"cand@fabrikam.com\"]," + WINDOW + "}",
                "{\"attendees\":[\"cand@fabrikam.com\",\"lee@contoso.com\"],\"rooms\":[\"room4@contoso.com\",{\"address\":\"room5@contoso.com\","
                        + "\"name\":\"Room 5\"}],\"roomRequired\":false,\"durationMinutes\":90,\"activityDomain\":\"personal\","
                        + "\"minimumAttendeePercentage\":75,\"maxCandidates\":3,\"organizerOptional\":true," + WINDOW + "}")) {
            MeetingTimesRequest request = MeetingTimesRequest.parse(json);
            assertEquals(Json.MAPPER.readTree(sdk(sdkBody(request))), Json.MAPPER.readTree(FindMeetingTimes.body(request)), json);
        }
    }

    @Test
    void whenGraphWritesStatusesInPascalCaseAsInLearnsExampleThenTheyReadAsTheirMembers() throws Exception {
        JsonNode info = Json.MAPPER.readTree(LEARN_SCHEDULE);

        Availability.Schedule schedule = AvailabilityService.schedule(info);
        assertEquals(List.of("tentative", "busy"), schedule.items().stream().map(Availability.Item::status).toList(), "not unknown");

        FreeBusy alex = FreeBusy.of(info);
        assertEquals("tentative", alex.availability(Instant.parse("2018-08-06T09:30:00Z"), Instant.parse("2018-08-06T10:00:00Z")),
                "a tentative hold is not busy");
        assertEquals("busy", alex.availability(Instant.parse("2018-08-06T11:30:00Z"), Instant.parse("2018-08-06T12:00:00Z")));
        assertEquals("free", alex.availability(Instant.parse("2018-08-06T10:30:00Z"), Instant.parse("2018-08-06T11:00:00Z")));
    }

    @Test
    void whenGraphWritesStatusesInCamelCaseThenEachScheduleReadsAsTheGraphSdkReadIt() throws Exception {
        String camel = LEARN_SCHEDULE.replace("\"Tentative\"", "\"tentative\"").replace("\"Busy\"", "\"workingElsewhere\"");
        for (String json : List.of(camel, "{\"scheduleId\":\"x@contoso.com\",\"availabilityView\":\"\",\"error\":{\"message\":\"Unable to resolve\","
                + "\"responseCode\":\"ErrorMailRecipientNotFound\"}}", "{\"scheduleId\":\"y@contoso.com\",\"availabilityView\":\"000\"}")) {
            ScheduleInformation sdk = new JsonParseNode(JsonParser.parseString(json)).getObjectValue(ScheduleInformation::createFromDiscriminatorValue);
            assertEquals(reference(sdk), AvailabilityService.schedule(Json.MAPPER.readTree(json)), json);
        }
    }

    /**
     * Learn's getSchedule example (calendar: getSchedule) gives working hours in a customTimeZone: Pacific time as bias 480,
     * back to standard time the first Sunday of November, daylight time (daylightBias -60) from the second Sunday of March.
     */
    @Test
    void whenWorkingHoursAreInACustomTimeZoneThenDaylightSavingTimeMovesThem() throws Exception {
        JsonNode info = Json.MAPPER.readTree("{\"scheduleId\":\"adele@contoso.com\",\"scheduleItems\":[],\"workingHours\":{\"daysOfWeek\":"
                + "[\"Monday\",\"tuesday\",\"wednesday\",\"thursday\",\"friday\"],\"startTime\":\"08:00:00.0000000\",\"endTime\":\"17:00:00.0000000\","
                + "\"timeZone\":{\"@odata.type\":\"#microsoft.graph.customTimeZone\",\"bias\":480,\"name\":\"Customized Time Zone\","
                + "\"standardOffset\":{\"time\":\"02:00:00.0000000\",\"dayOccurrence\":1,\"dayOfWeek\":\"sunday\",\"month\":11,\"year\":0},"
                + "\"daylightOffset\":{\"daylightBias\":-60,\"time\":\"02:00:00.0000000\",\"dayOccurrence\":2,\"dayOfWeek\":\"sunday\",\"month\":3,"
                + "\"year\":0}}}}");
        FreeBusy adele = FreeBusy.of(info);

        // Wednesday 7 July 2027: 08:00-09:00 PDT is 15:00-16:00 UTC; 07:00 PDT is not working time
        assertTrue(adele.allows(Instant.parse("2027-07-07T15:00:00Z"), Instant.parse("2027-07-07T16:00:00Z"), "work"), "summer: 08:00 PDT");
        assertFalse(adele.allows(Instant.parse("2027-07-07T14:00:00Z"), Instant.parse("2027-07-07T15:00:00Z"), "work"), "07:00 PDT");
        assertTrue(adele.allows(Instant.parse("2027-07-07T23:00:00Z"), Instant.parse("2027-07-08T00:00:00Z"), "work"), "16:00 PDT");
        // Wednesday 8 December 2027: 08:00 PST is 16:00 UTC
        assertTrue(adele.allows(Instant.parse("2027-12-08T16:00:00Z"), Instant.parse("2027-12-08T17:00:00Z"), "work"), "winter: 08:00 PST");
        assertFalse(adele.allows(Instant.parse("2027-12-08T15:00:00Z"), Instant.parse("2027-12-08T16:00:00Z"), "work"), "07:00 PST");
        // the switch itself: Sunday 14 March 2027 02:00 PST; Monday 15 March 08:00 is PDT already
        assertTrue(adele.allows(Instant.parse("2027-03-15T15:00:00Z"), Instant.parse("2027-03-15T16:00:00Z"), "work"));
        // a zone without daylight saving time keeps its bias all year
        FreeBusy fixed = FreeBusy.of(Json.MAPPER.readTree(info.toString().replace("\"daylightBias\":-60", "\"daylightBias\":0")));
        assertFalse(fixed.allows(Instant.parse("2027-07-07T15:00:00Z"), Instant.parse("2027-07-07T16:00:00Z"), "work"), "07:00 at UTC-8");
    }

    /** South of the equator daylight time starts in the later month: AUS Eastern, standard from April, daylight from October. */
    @Test
    void whenACustomTimeZoneIsSouthOfTheEquatorThenItsSummerIsDaylightTimeToo() throws Exception {
        FreeBusy sydney = FreeBusy.of(Json.MAPPER.readTree(custom(-600, "{\"time\":\"03:00:00.0000000\",\"dayOccurrence\":1,"
                + "\"dayOfWeek\":\"sunday\",\"month\":4}", "{\"daylightBias\":-60,\"time\":\"02:00:00.0000000\",\"dayOccurrence\":1,"
                + "\"dayOfWeek\":\"sunday\",\"month\":10}")));
        // Wednesday 13 January 2027, 08:00 AEDT (+11) is 21:00 UTC the day before; 08:00 AEST (+10) would be 22:00
        assertTrue(sydney.allows(Instant.parse("2027-01-12T21:00:00Z"), Instant.parse("2027-01-12T22:00:00Z"), "work"), "January: +11");
        assertFalse(sydney.allows(Instant.parse("2027-01-12T20:00:00Z"), Instant.parse("2027-01-12T21:00:00Z"), "work"));
        // Wednesday 14 July 2027, 08:00 AEST (+10) is 22:00 UTC the day before
        assertTrue(sydney.allows(Instant.parse("2027-07-13T22:00:00Z"), Instant.parse("2027-07-13T23:00:00Z"), "work"), "July: +10");
        assertFalse(sydney.allows(Instant.parse("2027-07-13T21:00:00Z"), Instant.parse("2027-07-13T22:00:00Z"), "work"));
        // Wednesday 10 November 2027: still daylight time
        assertTrue(sydney.allows(Instant.parse("2027-11-09T21:00:00Z"), Instant.parse("2027-11-09T22:00:00Z"), "work"), "November: +11");
    }

    /** Windows ends a day at 23:59:59.999 or 24:00; a switch that cannot be read leaves the zone's bias, never UTC. */
    @Test
    void whenACustomTimeZonesSwitchesAreOddThenTheyAreReadOrTheBiasStays() throws Exception {
        FreeBusy endOfDay = FreeBusy.of(Json.MAPPER.readTree(custom(480, "{\"time\":\"23:59:59.9990000\",\"dayOccurrence\":5,"
                + "\"dayOfWeek\":\"saturday\",\"month\":10}", "{\"daylightBias\":-60,\"time\":\"24:00:00\",\"dayOccurrence\":5,"
                + "\"dayOfWeek\":\"saturday\",\"month\":3}")));
        assertTrue(endOfDay.allows(Instant.parse("2027-07-07T15:00:00Z"), Instant.parse("2027-07-07T16:00:00Z"), "work"), "July: -7");
        FreeBusy broken = FreeBusy.of(Json.MAPPER.readTree(custom(480, "{\"time\":\"02:00\",\"dayOccurrence\":1,\"dayOfWeek\":\"someday\","
                + "\"month\":11}", "{\"daylightBias\":-60,\"time\":\"02:00\",\"dayOccurrence\":2,\"dayOfWeek\":\"sunday\",\"month\":3}")));
        assertTrue(broken.allows(Instant.parse("2027-07-07T16:00:00Z"), Instant.parse("2027-07-07T17:00:00Z"), "work"), "08:00 at -8");
        assertFalse(broken.allows(Instant.parse("2027-07-07T08:00:00Z"), Instant.parse("2027-07-07T09:00:00Z"), "work"), "not UTC");
    }

    private static String custom(int bias, String standardOffset, String daylightOffset) {
        return "{\"scheduleId\":\"x@contoso.com\",\"scheduleItems\":[],\"workingHours\":{\"daysOfWeek\":[\"monday\",\"tuesday\","
                + "\"wednesday\",\"thursday\",\"friday\"],\"startTime\":\"08:00:00.0000000\",\"endTime\":\"17:00:00.0000000\","
                + "\"timeZone\":{\"@odata.type\":\"#microsoft.graph.customTimeZone\",\"bias\":" + bias + ",\"name\":\"Customized Time Zone\","
                + "\"standardOffset\":" + standardOffset + ",\"daylightOffset\":" + daylightOffset + "}}}";
    }

    @Test
    void whenFindMeetingTimesAnswersInPascalCaseOrOffersARoomNotAskedForThenTheAnswerSaysWhatWasAskedFor() throws Exception {
        MeetingTimesRequest roomNeeded = MeetingTimesRequest.parse("{\"attendees\":[\"cand@fabrikam.com\"],\"rooms\":[\"room4@contoso.com\"],"
                + "\"roomRequired\":true," + WINDOW + "}");
        MeetingTimesRequest roomWelcome = MeetingTimesRequest.parse("{\"attendees\":[\"cand@fabrikam.com\"],\"rooms\":[\"room4@contoso.com\"],"
                + "\"roomRequired\":false," + WINDOW + "}");
        String answer = "{\"emptySuggestionsReason\":\"\",\"meetingTimeSuggestions\":["
                + suggestion("2018-08-06T09:00:00", "Tentative", "Free", "ROOM4@contoso.com", "Room 4")
                + "," + suggestion("2018-08-06T10:00:00", "Free", "Busy", "room9@contoso.com", "Room 9") + "]}";

        MeetingTimes needed = FindMeetingTimes.read("con_1", roomNeeded, Json.MAPPER.readTree(answer));
        assertEquals(1, needed.suggestions().size(), "the slot with a room nobody asked for is left out: " + needed);
        MeetingTimes onlySubstitutes = FindMeetingTimes.read("con_1", roomNeeded, Json.MAPPER.readTree("{\"emptySuggestionsReason\":\"\","
                + "\"meetingTimeSuggestions\":[" + suggestion("2018-08-06T10:00:00", "Free", "Free", "room9@contoso.com", "Room 9") + "]}"));
        assertEquals(List.of(), onlySubstitutes.suggestions());
        assertEquals("locationsUnavailable", onlySubstitutes.emptySuggestionsReason(), "an empty answer always says why");
        MeetingTimes.Suggestion first = needed.suggestions().get(0);
        assertEquals("tentative", first.organizerAvailability());
        assertEquals("free", first.attendeeAvailability().get(0).availability());
        assertEquals("ROOM4@contoso.com", first.room().address());

        MeetingTimes welcome = FindMeetingTimes.read("con_1", roomWelcome, Json.MAPPER.readTree(answer));
        assertEquals(2, welcome.suggestions().size());
        assertNull(welcome.suggestions().get(1).room(), "suggested without the room Graph substituted");
        assertEquals("busy", welcome.suggestions().get(1).attendeeAvailability().get(0).availability());

        MeetingTimes none = FindMeetingTimes.read("con_1", roomWelcome,
                Json.MAPPER.readTree("{\"emptySuggestionsReason\":\"AttendeesUnavailable\",\"meetingTimeSuggestions\":[]}"));
        assertEquals("attendeesUnavailable", none.emptySuggestionsReason(), "as openapi's enum names it");
    }

    private static String suggestion(String start, String organizer, String attendee, String room, String roomName) {
        return "{\"confidence\":100,\"organizerAvailability\":\"" + organizer + "\",\"attendeeAvailability\":[{\"attendee\":{\"type\":\"required\","
                + "\"emailAddress\":{\"address\":\"cand@fabrikam.com\"}},\"availability\":\"" + attendee + "\"}],\"locations\":[{\"displayName\":\""
                + roomName + "\",\"locationEmailAddress\":\"" + room + "\"}],\"meetingTimeSlot\":{\"start\":{\"dateTime\":\"" + start
                + ".0000000\",\"timeZone\":\"Pacific Standard Time\"},\"end\":{\"dateTime\":\"" + start.replace("T09", "T09").substring(0, 11)
                + "23:00:00.0000000\",\"timeZone\":\"Pacific Standard Time\"}}}";
    }

    private static String sdk(Parsable model) throws Exception {
        JsonSerializationWriter writer = new JsonSerializationWriter(); // what the SDK's adapter uses for application/json
        writer.writeObjectValue(null, model);
        return new String(writer.getSerializedContent().readAllBytes(), StandardCharsets.UTF_8);
    }

    // What FindMeetingTimes and AvailabilityService built from the SDK's models until this change (the reference).

    private static FindMeetingTimesPostRequestBody sdkBody(MeetingTimesRequest request) {
        FindMeetingTimesPostRequestBody body = new FindMeetingTimesPostRequestBody();
        List<AttendeeBase> attendees = new ArrayList<>();
        for (String address : request.attendees()) {
            AttendeeBase attendee = new AttendeeBase();
            attendee.setType(AttendeeType.Required);
            EmailAddress email = new EmailAddress();
            email.setAddress(address);
            attendee.setEmailAddress(email);
            attendees.add(attendee);
        }
        body.setAttendees(attendees);
        if (!request.rooms().isEmpty()) {
            LocationConstraint constraint = new LocationConstraint();
            constraint.setIsRequired(request.roomRequired());
            constraint.setSuggestLocation(false);
            List<LocationConstraintItem> items = new ArrayList<>();
            for (MailRecipient room : request.rooms()) {
                LocationConstraintItem item = new LocationConstraintItem();
                item.setDisplayName(room.name() == null ? room.address() : room.name());
                item.setLocationEmailAddress(room.address());
                item.setResolveAvailability(true);
                items.add(item);
            }
            constraint.setLocations(items);
            body.setLocationConstraint(constraint);
        }
        TimeConstraint time = new TimeConstraint();
        time.setActivityDomain(ActivityDomain.forValue(request.activityDomain()));
        TimeSlot slot = new TimeSlot();
        slot.setStart(request.window().start().toGraph());
        slot.setEnd(request.window().end().toGraph());
        time.setTimeSlots(List.of(slot));
        body.setTimeConstraint(time);
        body.setMeetingDuration(PeriodAndDuration.ofDuration(request.duration()));
        body.setMaxCandidates(request.maxCandidates());
        body.setMinimumAttendeePercentage(request.minimumAttendeePercentage());
        body.setIsOrganizerOptional(request.organizerOptional());
        body.setReturnSuggestionReasons(false);
        return body;
    }

    private static Availability.Schedule reference(ScheduleInformation info) {
        if (info.getError() != null) {
            return new Availability.Schedule(info.getScheduleId(), null, null, null,
                    new Availability.Error(info.getError().getResponseCode(), info.getError().getMessage()));
        }
        List<Availability.Item> items = new ArrayList<>();
        if (info.getScheduleItems() != null) {
            for (ScheduleItem item : info.getScheduleItems()) {
                items.add(new Availability.Item(item.getStatus() == null ? "unknown" : item.getStatus().getValue(), local(item.getStart()),
                        local(item.getEnd()), item.getSubject(), item.getLocation(), item.getIsPrivate()));
            }
        }
        Availability.WorkingHours hours = null;
        if (info.getWorkingHours() != null && info.getWorkingHours().getStartTime() != null) {
            var wh = info.getWorkingHours();
            List<String> days = wh.getDaysOfWeek() == null ? List.of() : wh.getDaysOfWeek().stream()
                    .map(com.microsoft.graph.models.DayOfWeek::getValue).toList();
            DateTimeFormatter timeOfDay = DateTimeFormatter.ofPattern("HH:mm:ss");
            hours = new Availability.WorkingHours(days, timeOfDay.format(wh.getStartTime()), timeOfDay.format(wh.getEndTime()),
                    wh.getTimeZone() == null ? null : wh.getTimeZone().getName());
        }
        return new Availability.Schedule(info.getScheduleId(), info.getAvailabilityView(), List.copyOf(items), hours, null);
    }

    private static String local(DateTimeTimeZone time) {
        return time == null || time.getDateTime() == null ? null : Window.normalize(time.getDateTime());
    }
}
