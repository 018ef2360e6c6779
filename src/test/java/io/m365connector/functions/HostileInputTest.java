package io.m365connector.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.functions.HttpMethod;
import io.m365connector.actions.CancelRequest;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.RequestValidationException;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.FakeHttpRequest;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.LogRecorder;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One regression test per hostile-input finding: bounded, strict, never 5xx, and only the expected owner's connections. */
class HostileInputTest {
    private static final ConnectorHarness HARNESS = new ConnectorHarness();
    private static final ConnectorHarness.Connected USER = HARNESS.connect(NationalCloud.GLOBAL, "\"mail\",\"calendar\"");
    private static final String MAIL = "{\"to\":[\"candidate@fabrikam.com\"],\"subject\":\"Hello\",\"body\":\"Hi\"}";

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    private static JsonNode problem(FakeHttpResponse response, int status) {
        assertEquals(status, response.getStatusCode(), response.bodyText());
        return ConnectorHarness.json(response.bodyText());
    }

    @Test
    void whenAMailHasAThousandUnknownFieldsThenTwentyErrorsAndACountComeBack() {
        StringBuilder body = new StringBuilder("{\"to\":[\"a@fabrikam.com\"],\"subject\":\"s\"");
        for (int i = 0; i < 1000; i++) {
            body.append(",\"unknown").append(i).append("\":1");
        }

        JsonNode problem = problem(HARNESS.sendMail(USER.connectionId(), null, body.append('}').toString()), 400);

        assertEquals(20, problem.get("errors").size());
        assertEquals(980, problem.get("moreErrors").asInt());
        assertTrue(problem.toString().length() < 8 * 1024, "bounded: " + problem.toString().length());
    }

    @Test
    void whenAMailBodyIsTwelveMegabytesOfUnknownFieldsThenOneSmallAnswerWithoutBuildingIt() {
        StringBuilder body = new StringBuilder("{\"to\":[\"a@fabrikam.com\"],\"subject\":\"s\"");
        for (int i = 0; body.length() < 12_000_000; i++) {
            body.append(",\"unknown_field_").append(i).append("\":").append(i);
        }

        FakeHttpResponse response = HARNESS.sendMail(USER.connectionId(), null, body.append('}').toString());

        JsonNode problem = problem(response, 400);
        assertTrue(response.bodyText().length() < 2048, "answer of " + response.bodyText().length() + " characters");
        assertTrue(problem.get("errors").get(0).get("message").asText().contains("more than 20,000 JSON tokens"), problem.toString());
    }

    @Test
    void whenTheCallbackFormHasAMalformedPercentEscapeThenAGuidancePageWith400AndNoErrorLog() {
        try (LogRecorder log = new LogRecorder()) {
            FakeHttpRequest post = FakeHttpRequest.post("https://" + ConnectorHarness.FUNCTION_HOST + "/api/auth/callback", "code=%zz&state=x")
                    .header("Content-Type", "application/x-www-form-urlencoded");

            FakeHttpResponse page = (FakeHttpResponse) HARNESS.auth.callback(post, new FakeExecutionContext("authCallback"));

            assertEquals(400, page.getStatusCode(), page.bodyText());
            assertTrue(page.getHeader("Content-Type").startsWith("text/html"));
            assertEquals(List.of(), log.atOrAbove(Level.WARNING));
        }
    }

    @Test
    void whenAnonymousLinksAreForgedThenEachIsLoggedAtFineAndOneSummaryAMinuteAtInfo() {
        try (LogRecorder log = new LogRecorder()) {
            for (int i = 0; i < 50; i++) {
                HARNESS.browser().navigate("https://" + ConnectorHarness.FUNCTION_HOST + "/api/auth/login/20261201."
                        + UUID.randomUUID().toString().replace("-", "") + "abcdefghijk");
            }
            assertEquals(List.of(), log.atOrAbove(Level.INFO), "nothing at INFO or above for the first minute");

            HARNESS.clock.advance(Duration.ofMinutes(1));
            HARNESS.browser().navigate("https://" + ConnectorHarness.FUNCTION_HOST + "/api/auth/login/20261201.forged");

            List<String> loud = log.atOrAbove(Level.INFO);
            assertEquals(1, loud.size(), loud.toString());
            assertTrue(loud.get(0).contains("51 bad request(s)") && loud.get(0).contains("state_invalid"), loud.get(0));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"to\":[\"a@fabrikam.com\"],\"subject\":\"s\"}{\"to\":[\"b@fabrikam.com\"],\"subject\":\"s\"}",
        "{\"to\":[\"a@fabrikam.com\"],\"subject\":\"s\",\"subject\":\"t\"}",
        "{\"to\":[\"a@fabrikam.com\"],\"subject\":\"\\ud800\"}",
        "{\"to\":[\"a@fabrikam.com\"],\"subject\":\"\uFFFD\"}"
    })
    void whenJsonIsAmbiguousOrNotValidUnicodeThenItIsRefusedAndNothingIsSent(String body) {
        int before = HARNESS.graph.sentMail(USER.user().userPrincipalName()).size();

        problem(HARNESS.sendMail(USER.connectionId(), null, body), 400);

        assertEquals(before, HARNESS.graph.sentMail(USER.user().userPrincipalName()).size());
    }

    @Test
    void whenAnOwnerIdHasALoneSurrogateThenTheConnectionIsNotCreated() {
        problem(HARNESS.createConnection("{\"ownerId\":\"owner-\\udc00\",\"features\":[\"mail\"],\"cloud\":\"global\"}"), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cand\u200Bidate@fabrikam.com", "candidate@fabri\u200Bkam.com", "\uFEFFcandidate@fabrikam.com", "candidate@ＦＡＢＲＩＫＡＭ.com"})
    void whenAnAddressHasInvisibleOrMappedCharactersThenItIsRefusedRatherThanSentAsIs(String address) {
        JsonNode problem = problem(HARNESS.sendMail(USER.connectionId(), null, MAIL.replace("candidate@fabrikam.com", address)), 400);

        assertEquals("to[0]", problem.get("errors").get(0).get("field").asText());
    }

    @Test
    void whenADisplayNameOrSubjectCarriesABidiOverrideThenItIsRefusedButABodyMayCarryIt() {
        problem(HARNESS.sendMail(USER.connectionId(), null,
                "{\"to\":[{\"address\":\"a@fabrikam.com\",\"name\":\"Invoice \u202Efdp.exe\"}],\"subject\":\"s\"}"), 400);
        problem(HARNESS.sendMail(USER.connectionId(), null, "{\"to\":[\"a@fabrikam.com\"],\"subject\":\"x \u202E y\"}"), 400);

        assertEquals(202, HARNESS.sendMail(USER.connectionId(), null,
                "{\"to\":[\"a@fabrikam.com\"],\"subject\":\"ok \u200F marks pass\",\"body\":\"\u2067مرحبا\u2069\"}").getStatusCode());
    }

    @Test
    void whenASubjectIsCountedThenItCountsCharactersNotUtf16Units() {
        String emoji128 = "😀".repeat(128);

        assertEquals(202, HARNESS.sendMail(USER.connectionId(), null, MAIL.replace("Hello", emoji128)).getStatusCode());
        problem(HARNESS.sendMail(USER.connectionId(), null, MAIL.replace("Hello", "😀".repeat(256))), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0001-01-01T10:00:00", "+999999999-01-01T10:00:00", "-999999999-01-01T10:00:00", "2500-01-01T10:00:00"})
    void whenAnEventDateIsOutsideTheRangeThenItIsRefusedBeforeGraph(String start) {
        JsonNode problem = problem(HARNESS.createEvent(USER.connectionId(), null, event(start, "UTC")), 400);

        assertTrue(problem.toString().contains("between 1900-01-01 and 2199-12-31") || problem.toString().contains("local date"), problem.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/events?start=-999999999-01-01T00:00:00&end=%2B999999999-12-31T23:59:59&timeZone=America/Los_Angeles",
        "/events?start=-999999999-01-01T00:00:00&end=%2B999999999-12-31T23:59:59&timeZone=Pacific%20Standard%20Time",
        "/events?start=0001-01-01T00:00:00&end=0001-01-02T00:00:00",
        "/messages?receivedSince=%2B100000-01-01T00:00:00Z",
        "/messages?receivedSince=0001-01-01T00:00:00Z"
    })
    void whenAReadsDatesAreOutsideTheRangeThen400AndNoRequestLeaves(String pathAndQuery) {
        // at the year's limits a zone's offset cannot even be applied (a 500 before); far dates went to Graph
        int before = HARNESS.graph.requests().size();

        JsonNode problem = problem(HARNESS.read(USER.connectionId(), pathAndQuery), 400);

        assertTrue(problem.toString().contains("between 1900-01-01"), problem.toString());
        assertEquals(before, HARNESS.graph.requests().size(), "nothing asked of Graph");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"reminderMinutesBeforeStart\":18446744073709551616", "\"reminderMinutesBeforeStart\":-18446744073709551616",
        "\"reminderMinutesBeforeStart\":9223372036854775808"})
    void whenAWholeNumberIsBeyondSixtyFourBitsThenItIsRefusedNotWrappedAround(String field) {
        // 2^64 was read as its low 64 bits: 0, a reminder at the start the caller never asked for
        int before = HARNESS.graph.requests().size();

        JsonNode problem = problem(HARNESS.createEvent(USER.connectionId(), null,
                event("2027-03-01T10:00:00", "UTC").replaceFirst("\\{", "{" + field + ",")), 400);

        assertEquals("reminderMinutesBeforeStart", problem.path("errors").path(0).path("field").asText(), problem.toString());
        assertEquals(before, HARNESS.graph.requests().size());
    }

    @Test
    void whenTheScheduleListIsAnExplicitNullThenItIsRefusedAsMissingRatherThanSentEmpty() {
        int before = HARNESS.graph.requests().size();

        JsonNode problem = problem(HARNESS.availability(USER.connectionId(), "{\"schedules\":null,\"start\":{\"dateTime\":"
                + "\"2027-03-01T08:00:00\",\"timeZone\":\"UTC\"},\"end\":{\"dateTime\":\"2027-03-01T12:00:00\",\"timeZone\":\"UTC\"}}"), 400);

        assertEquals("schedules", problem.path("errors").path(0).path("field").asText(), problem.toString());
        assertEquals(before, HARNESS.graph.requests().size(), "getSchedule never called with no schedules");
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice\u2028", "alice\u2029", "ali\u0085ce"})
    void whenAnOwnerIdHoldsALineSeparatorThenNoConnectionIsCreatedAndNoListingTakesIt(String ownerId) {
        // one rule for an owner id wherever it comes (ConnectionRef.isOwnerId): an id a listing refuses is never created
        problem(HARNESS.createConnection("{\"ownerId\":\"" + ownerId + "\",\"features\":[\"mail\"],\"cloud\":\"global\"}"), 400);

        // the listing refuses the same id
        problem(HARNESS.listConnections("ownerId=" + java.net.URLEncoder.encode(ownerId, java.nio.charset.StandardCharsets.UTF_8), ownerId), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SystemV/PST8", "EST5EDT", "PST", "GMT0", "Etc/GMT+5"})
    void whenAZoneOnlyJavaKnowsIsGivenThenItIsRefused(String zone) {
        JsonNode problem = problem(HARNESS.createEvent(USER.connectionId(), null, event("2027-03-01T10:00:00", zone)), 400);

        assertTrue(problem.toString().contains("Unknown time zone"), problem.toString());
    }

    @Test
    void whenTheStartFallsInADaylightSavingGapThenTheMessageSaysSo() {
        JsonNode problem = problem(HARNESS.createEvent(USER.connectionId(), null, event("2027-03-14T02:30:00", "America/New_York")), 400);

        assertTrue(problem.toString().contains("does not exist in America/New_York"), problem.toString());
        assertTrue(!problem.toString().contains("end must be after start"));
    }

    @Test
    void whenAPatchChangesNothingThenItIsRefusedWithoutCallingGraph() {
        int graphCalls = HARNESS.graph.requests().size();

        problem(HARNESS.updateEvent(USER.connectionId(), "AAMkAGI2TG93AAA=", null, "{}"), 400);

        assertEquals(graphCalls, HARNESS.graph.requests().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP://app.example.com/connected", "https://APP.example.com/connected", "https://app.example.com:0443/connected",
        "https://app.example.com:443/connected", "https://app.example.com/connected/", "https://app.example.com/%63onnected"})
    void whenAReturnUrlIsSpelledDifferentlyFromTheRegisteredOneThenItIsRefused(String returnUrl) {
        JsonNode problem = problem(HARNESS.createConnection("{\"ownerId\":\"o\",\"features\":[\"mail\"],\"cloud\":\"global\",\"returnUrl\":\""
                + returnUrl + "\"}"), 400);

        assertEquals("returnUrl", problem.get("errors").get(0).get("field").asText());
    }

    @Test
    void whenTheOwnerHeaderNamesAnotherOwnerThenTheConnectionLooksUnknownAndNothingIsSent() {
        String id = USER.connectionId();
        String unknown = "con_" + "0".repeat(32);
        FakeHttpRequest own = FakeHttpRequest.get("https://" + ConnectorHarness.FUNCTION_HOST + "/api/connections/" + id)
                .header("X-Owner-Id", "owner-1");
        FakeHttpRequest other = FakeHttpRequest.get("https://" + ConnectorHarness.FUNCTION_HOST + "/api/connections/" + id)
                .header("X-Owner-Id", "someone-else");
        FakeHttpRequest missing = FakeHttpRequest.get("https://" + ConnectorHarness.FUNCTION_HOST + "/api/connections/" + unknown)
                .header("X-Owner-Id", "someone-else");
        int sent = HARNESS.graph.sentMail(USER.user().userPrincipalName()).size();
        FakeHttpRequest mail = FakeHttpRequest.post("https://" + ConnectorHarness.FUNCTION_HOST + "/api/connections/" + id + "/mail", MAIL)
                .header("Content-Type", "application/json").header("X-Owner-Id", "someone-else");

        assertEquals(200, get(own, id).getStatusCode());
        JsonNode foreign = problem(get(other, id), 404);
        JsonNode absent = problem(get(missing, unknown), 404);
        JsonNode mailed = problem((FakeHttpResponse) HARNESS.actions.sendMail(mail, id, new FakeExecutionContext("sendMail")), 404);

        assertEquals(absent.get("code"), foreign.get("code"));
        assertEquals(absent.get("detail").asText().replace(unknown, id), foreign.get("detail").asText(), "the same answer as an unknown id");
        assertEquals("not_found", mailed.get("code").asText());
        assertEquals(sent, HARNESS.graph.sentMail(USER.user().userPrincipalName()).size());
    }

    @Test
    void whenABodyIsOneByteOverTheDocumentedLimitThen413SaysTheLimitAndNothingHappens() {
        String upn = USER.user().userPrincipalName();
        int sent = HARNESS.graph.sentMail(upn).size();
        int events = HARNESS.graph.events(upn).size();
        // docs/API.md: POST /api/connections at most 16 KiB, a mail's request body 50 MiB, an event's 1 MiB
        String connection = padded("{\"ownerId\":\"owner-413\",\"features\":[\"mail\"],\"cloud\":\"global\",\"note\":\"", 16 * 1024 + 1);
        String mail = padded("{\"to\":[\"candidate@fabrikam.com\"],\"subject\":\"Big\",\"body\":\"", 50 * 1024 * 1024 + 1);
        String event = padded("{\"subject\":\"Big\",\"start\":\"2027-01-04T10:00:00\",\"end\":\"2027-01-04T11:00:00\",\"timeZone\":\"UTC\","
                + "\"body\":\"", 1024 * 1024 + 1);

        JsonNode connectionTooLarge = problem(HARNESS.createConnection(connection), 413);
        JsonNode mailTooLarge = problem(HARNESS.sendMail(USER.connectionId(), null, mail), 413);
        JsonNode eventTooLarge = problem(HARNESS.createEvent(USER.connectionId(), null, event), 413);

        assertEquals("payload_too_large", connectionTooLarge.get("code").asText());
        assertTrue(connectionTooLarge.get("detail").asText().contains(String.valueOf(16 * 1024)), connectionTooLarge.toString());
        assertTrue(mailTooLarge.get("detail").asText().contains(String.valueOf(50 * 1024 * 1024)), mailTooLarge.toString());
        assertTrue(eventTooLarge.get("detail").asText().contains(String.valueOf(1024 * 1024)), eventTooLarge.toString());
        assertEquals(sent, HARNESS.graph.sentMail(upn).size(), "nothing sent");
        assertEquals(events, HARNESS.graph.events(upn).size(), "no event created");
        FakeHttpResponse owned = HARNESS.listConnections("ownerId=owner-413", "owner-413");
        assertEquals(200, owned.getStatusCode(), owned.bodyText());
        assertEquals(0, ConnectorHarness.json(owned.bodyText()).get("connections").size(), "no connection started: " + owned.bodyText());
        // one byte less is read (and answered on its merits)
        assertTrue(HARNESS.createConnection(padded("{\"ownerId\":\"owner-413\",\"features\":[\"mail\"],\"cloud\":\"global\",\"note\":\"",
                16 * 1024)).getStatusCode() != 413);
    }

    /** {@code start}, then x up to {@code bytes} bytes of JSON in all (the string and the object closed). */
    private static String padded(String start, int bytes) {
        return start + "x".repeat(bytes - start.length() - 2) + "\"}";
    }

    @ParameterizedTest
    @ValueSource(strings = {"..%2F..%2Fme%2Fmessages", "AAMk%2Fevents", "AAMk.x", "AAMk%20", "AAMk'x"})
    void whenAnEventIdInThePathIsNotAGraphIdThenUpdateAndCancelAnswer400AndCallNoGraph(String eventId) {
        int graphCalls = HARNESS.graph.requests().size();

        JsonNode updated = problem(HARNESS.updateEvent(USER.connectionId(), eventId, null, "{\"subject\":\"Moved\"}"), 400);
        JsonNode cancelled = problem(HARNESS.cancelEvent(USER.connectionId(), eventId, null), 400);

        assertEquals("eventId", updated.get("errors").get(0).get("field").asText(), updated.toString());
        assertEquals("eventId", cancelled.get("errors").get(0).get("field").asText(), cancelled.toString());
        assertEquals(graphCalls, HARNESS.graph.requests().size(), "nothing reached Graph");
    }

    @Test
    void whenACancellationCommentIsCountedThenCharactersCountAsPeopleCountThemAndTabsPassAsInBodies() {
        String event = "AAMkAGI2TG93AAA=";
        // the API's text rules (API.md): 2,000 characters, an emoji one of them; CR, LF and tab pass in multi-line text
        String twoThousand = "😀".repeat(1998) + "\t\n"; // 3,998 UTF-16 units
        assertEquals(twoThousand, CancelRequest.parse(event, null, twoThousand).comment());
        assertThrows(RequestValidationException.class, () -> CancelRequest.parse(event, null, "😀".repeat(2001)));
        assertThrows(RequestValidationException.class, () -> CancelRequest.parse(event, null, "a\u0007b"));
        assertThrows(RequestValidationException.class, () -> CancelRequest.parse(event, null, "a\u2028b"));
    }

    @Test
    void whenACancellationCommentIsOverTwoThousandCharactersThen400AndNothingIsCancelled() {
        int graphCalls = HARNESS.graph.requests().size();

        JsonNode tooLong = problem(HARNESS.cancelEvent(USER.connectionId(), "AAMkAGI2TG93AAA=", "comment=" + "x".repeat(2001)), 400);

        assertEquals("comment", tooLong.get("errors").get(0).get("field").asText(), tooLong.toString());
        assertTrue(tooLong.get("errors").get(0).get("message").asText().contains("2000"), tooLong.toString());
        assertEquals(graphCalls, HARNESS.graph.requests().size(), "nothing reached Graph");
    }

    @Test
    void whenAnotherOwnerDisconnectsOrReadsTheChangeFeedThenTheConnectionLooksUnknownAndStaysAsItWas() {
        String id = USER.connectionId();
        String unknown = "con_" + "0".repeat(32);
        String base = "https://" + ConnectorHarness.FUNCTION_HOST + "/api/connections/";
        SyncFunctions sync = HARNESS.context.newFunction(SyncFunctions.class);

        JsonNode foreignDelete = problem((FakeHttpResponse) HARNESS.api.delete(FakeHttpRequest.of(HttpMethod.DELETE, base + id)
                .header("X-Owner-Id", "someone-else"), id, new FakeExecutionContext("deleteConnection")), 404);
        JsonNode absentDelete = problem((FakeHttpResponse) HARNESS.api.delete(FakeHttpRequest.of(HttpMethod.DELETE, base + unknown)
                .header("X-Owner-Id", "someone-else"), unknown, new FakeExecutionContext("deleteConnection")), 404);
        JsonNode foreignFeed = problem((FakeHttpResponse) sync.listChanges(FakeHttpRequest.get(base + id + "/changes")
                .header("X-Owner-Id", "someone-else"), id, new FakeExecutionContext("listChanges")), 404);
        JsonNode absentFeed = problem((FakeHttpResponse) sync.listChanges(FakeHttpRequest.get(base + unknown + "/changes")
                .header("X-Owner-Id", "someone-else"), unknown, new FakeExecutionContext("listChanges")), 404);

        assertEquals(absentDelete.get("code"), foreignDelete.get("code"));
        assertEquals(absentDelete.get("detail").asText().replace(unknown, id), foreignDelete.get("detail").asText(),
                "the same answer as an unknown id");
        assertEquals(absentFeed.get("code"), foreignFeed.get("code"));
        assertEquals(absentFeed.get("detail").asText().replace(unknown, id), foreignFeed.get("detail").asText());
        FakeHttpResponse still = HARNESS.getConnection(id);
        assertEquals(200, still.getStatusCode(), "the owner still has the connection");
        assertEquals("active", ConnectorHarness.json(still.bodyText()).get("status").asText());
    }

    /** A cursor the connection's feed never handed out (another connection's, kept over a new connection) hides nothing silently. */
    @Test
    void whenTheChangeFeedIsReadWithACursorBeyondItsEndThenTheAnswerIs400NamingTheCursor() {
        String id = USER.connectionId();
        JsonNode problem = problem(HARNESS.read(id, "/changes?cursor=s1832"), 400);

        assertEquals("cursor", problem.get("errors").get(0).get("field").asText(), problem.toString());
        assertTrue(problem.get("errors").get(0).get("message").asText().contains("Read from the start"), problem.toString());
    }

    @Test
    void whenAnotherOwnersConnectionLacksAPermissionThenItStillAnswersNotFoundNotWhatItLacks() {
        String id = USER.connectionId(); // has mail and calendar, not rooms
        SchedulingFunctions scheduling = HARNESS.context.newFunction(SchedulingFunctions.class);
        FakeHttpRequest rooms = FakeHttpRequest.get("https://" + ConnectorHarness.FUNCTION_HOST + "/api/connections/" + id + "/rooms")
                .header("X-Owner-Id", "someone-else");
        FakeHttpRequest own = FakeHttpRequest.get("https://" + ConnectorHarness.FUNCTION_HOST + "/api/connections/" + id + "/rooms")
                .header("X-Owner-Id", "owner-1");

        JsonNode foreign = problem((FakeHttpResponse) scheduling.listRooms(rooms, id, new FakeExecutionContext("listRooms")), 404);
        JsonNode mine = problem((FakeHttpResponse) scheduling.listRooms(own, id, new FakeExecutionContext("listRooms")), 403);

        assertEquals("not_found", foreign.get("code").asText());
        assertEquals("missing_permissions", mine.get("code").asText());
    }

    private static FakeHttpResponse get(FakeHttpRequest request, String id) {
        return (FakeHttpResponse) HARNESS.api.get(request, id, new FakeExecutionContext("getConnection"));
    }

    private static String event(String start, String zone) {
        return "{\"subject\":\"Interview\",\"start\":{\"dateTime\":\"" + start + "\",\"timeZone\":\"" + zone + "\"},"
                + "\"end\":{\"dateTime\":\"2027-03-14T05:00:00\",\"timeZone\":\"" + zone + "\"}}";
    }
}
