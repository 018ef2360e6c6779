package io.m365connector.reading;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.Json;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeHttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The read API against the fake Graph in every cloud: folders, filters, paging, bodies, attachments, calendar views. */
class ReadingTest {
    private static final ConnectorHarness HARNESS = new ConnectorHarness();

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    private static String deliver(String upn, String from, String subject, String attachment) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.put("receivedDateTime", HARNESS.clock.instant().toString());
        message.putObject("from").putObject("emailAddress").put("address", from).put("name", "Sender");
        message.putArray("toRecipients").addObject().putObject("emailAddress").put("address", upn);
        message.put("subject", subject);
        message.putObject("body").put("contentType", "html").put("content", "<p>Hello <b>" + subject + "</b></p>");
        if (attachment != null) {
            message.putArray("attachments").addObject().put("name", "cv.txt").put("contentType", "text/plain")
                    .put("contentBytes", Base64.getEncoder().encodeToString(attachment.getBytes(StandardCharsets.UTF_8)));
        }
        return HARNESS.graph.mail().deliver(upn, message);
    }

    /** The subjects of every page of a listing, following nextCursor (at most 10 pages: a cursor that never ends fails). */
    private static List<String> subjectsOfEveryPage(String connectionId, String listing) {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        for (int pages = 0; pages == 0 || cursor != null; pages++) {
            assertTrue(pages < 10, "the listing should have ended: " + seen);
            JsonNode page = ok(HARNESS.read(connectionId, listing + (cursor == null ? "" : "&cursor=" + cursor)));
            seen.addAll(subjects(page));
            cursor = page.path("nextCursor").isTextual() ? page.get("nextCursor").asText() : null;
        }
        return seen;
    }

    private static JsonNode ok(FakeHttpResponse response) {
        assertEquals(200, response.getStatusCode(), response.bodyText());
        return ConnectorHarness.json(response.bodyText());
    }

    private static List<String> subjects(JsonNode page) {
        return StreamSupport.stream(page.get("messages").spliterator(), false).map(m -> m.path("subject").asText()).toList();
    }

    @ParameterizedTest
    @EnumSource(NationalCloud.class)
    void whenAFolderIsListedThenItsMessagesComeNewestFirstFilteredAndPagedWithACursor(NationalCloud cloud) {
        ConnectorHarness.Connected user = HARNESS.connect(cloud, "\"mail_read\"");
        String upn = user.user().userPrincipalName();
        deliver(upn, "a@fabrikam.com", "first", null);
        HARNESS.clock.advance(Duration.ofMinutes(1));
        deliver(upn, "b@fabrikam.com", "second", "cv");
        HARNESS.clock.advance(Duration.ofMinutes(1));
        String third = deliver(upn, "a@fabrikam.com", "third", null);

        JsonNode all = ok(HARNESS.read(user.connectionId(), "/messages"));
        JsonNode firstPage = ok(HARNESS.read(user.connectionId(), "/messages?pageSize=2"));
        JsonNode secondPage = ok(HARNESS.read(user.connectionId(), "/messages?pageSize=2&cursor=" + firstPage.get("nextCursor").asText()));
        HARNESS.graph.mail().markRead(upn, third, true);
        JsonNode unreadFromA = ok(HARNESS.read(user.connectionId(), "/messages?unread=true&from=a@fabrikam.com"));
        JsonNode withAttachments = ok(HARNESS.read(user.connectionId(), "/messages?hasAttachments=true"));

        assertEquals(List.of("third", "second", "first"), subjects(all));
        assertEquals(List.of("third", "second"), subjects(firstPage));
        assertEquals(List.of("first"), subjects(secondPage));
        assertTrue(secondPage.path("nextCursor").isMissingNode() || secondPage.path("nextCursor").isNull(), "the last page has no cursor");
        assertEquals(List.of("first"), subjects(unreadFromA));
        assertEquals(List.of("second"), subjects(withAttachments));
        assertEquals("a@fabrikam.com", all.get("messages").get(0).path("from").path("address").asText());
    }

    /**
     * Pages are keyed by the time of arrival, not counted: the newest message deleted (or a new one arriving) between two
     * reads must neither pass one over nor repeat one. Three messages in one second are paged without loss either.
     */
    @Test
    void whenTheInboxChangesBetweenTwoPagesThenNoMessageIsPassedOverOrRepeated() {
        ConnectorHarness.Connected user = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        String upn = user.user().userPrincipalName();
        deliver(upn, "a@fabrikam.com", "first", null);
        HARNESS.clock.advance(Duration.ofMinutes(1));
        deliver(upn, "a@fabrikam.com", "second", null);
        HARNESS.clock.advance(Duration.ofMinutes(1));
        String third = deliver(upn, "a@fabrikam.com", "third", null);

        JsonNode firstPage = ok(HARNESS.read(user.connectionId(), "/messages?pageSize=2"));
        HARNESS.graph.mail().delete(upn, third); // the user deletes the newest while the web app pages
        JsonNode secondPage = ok(HARNESS.read(user.connectionId(), "/messages?pageSize=2&cursor=" + firstPage.get("nextCursor").asText()));
        JsonNode againFirst = ok(HARNESS.read(user.connectionId(), "/messages?pageSize=1"));
        HARNESS.clock.advance(Duration.ofMinutes(1));
        deliver(upn, "a@fabrikam.com", "fourth", null); // a new one arrives while the web app pages
        JsonNode againSecond = ok(HARNESS.read(user.connectionId(), "/messages?pageSize=1&cursor=" + againFirst.get("nextCursor").asText()));

        assertEquals(List.of("third", "second"), subjects(firstPage));
        assertEquals(List.of("first"), subjects(secondPage), "counted pages would have passed it over (page 2 would be empty)");
        assertEquals(List.of("second"), subjects(againFirst));
        assertEquals(List.of("first"), subjects(againSecond), "counted pages would have repeated \"second\"");

        HARNESS.clock.advance(Duration.ofMinutes(1));
        for (String subject : List.of("t1", "t2", "t3")) {
            deliver(upn, "b@fabrikam.com", subject, null); // one second: Graph's times are to the second
        }
        List<String> seen = subjectsOfEveryPage(user.connectionId(), "/messages?from=b@fabrikam.com&pageSize=2");
        assertEquals(3, seen.size(), seen.toString());
        assertEquals(Set.of("t1", "t2", "t3"), new HashSet<>(seen));
    }

    /**
     * Graph shows receivedDateTime to the second and compares its filter with the finer time Exchange keeps (the fake does
     * too): two messages at .2 s and .7 s of one second, read a page of one at a time, must both come.
     */
    @Test
    void whenMessagesArriveWithinOneSecondThenPagingOneAtATimeReadsEachOnce() {
        ConnectorHarness.Connected user = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        String upn = user.user().userPrincipalName();
        Instant second = HARNESS.clock.instant().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
        for (String[] m : new String[][] {{"older", "-5000"}, {"early", "200"}, {"late", "700"}}) {
            ObjectNode message = Json.MAPPER.createObjectNode();
            message.put("receivedDateTime", second.plusMillis(Long.parseLong(m[1])).toString());
            message.putObject("from").putObject("emailAddress").put("address", "c@fabrikam.com");
            message.put("subject", m[0]);
            HARNESS.graph.mail().deliver(upn, message);
        }

        List<String> seen = subjectsOfEveryPage(user.connectionId(), "/messages?from=c@fabrikam.com&pageSize=1");
        assertEquals(List.of("late", "early", "older"), seen, "a bound at the shown second would pass \"early\" over");
    }

    /** A GET's answer is a JSON object; an empty 200 (a proxy's, an answer cut short) is read again, never an empty folder. */
    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "CHINA"})
    void whenGraphAnswersAListWithoutABodyThenTheListIsReadAgainNotTakenForAnEmptyFolder(NationalCloud cloud) {
        ConnectorHarness.Connected user = HARNESS.connect(cloud, "\"mail_read\"");
        deliver(user.user().userPrincipalName(), "a@fabrikam.com", "the only one", null);
        HARNESS.graph.answerAfter(0, "GET", "/(me|users/[^/]+)/mailFolders/[^/]+/messages", 200, "");

        JsonNode listed = ok(HARNESS.read(user.connectionId(), "/messages"));

        assertEquals(List.of("the only one"), subjects(listed));
    }

    @ParameterizedTest
    @EnumSource(NationalCloud.class)
    void whenAMessageIsReadThenItsBodyComesAsAskedAndItsAttachmentAsBytes(NationalCloud cloud) {
        ConnectorHarness.Connected user = HARNESS.connect(cloud, "\"mail_read\"");
        String upn = user.user().userPrincipalName();
        deliver(upn, "c@fabrikam.com", "with cv", "curriculum vitae");
        String id = ok(HARNESS.read(user.connectionId(), "/messages")).get("messages").get(0).get("id").asText();

        JsonNode html = ok(HARNESS.read(user.connectionId(), "/messages/" + id));
        JsonNode text = ok(HARNESS.read(user.connectionId(), "/messages/" + id + "?bodyType=text"));
        String attachmentId = html.get("attachments").get(0).get("id").asText();
        FakeHttpResponse bytes = HARNESS.read(user.connectionId(), "/messages/" + id + "/attachments/" + attachmentId);

        assertEquals("html", html.path("body").path("contentType").asText());
        assertTrue(html.path("body").path("content").asText().contains("<b>"));
        assertEquals("text", text.path("body").path("contentType").asText());
        assertFalse(text.path("body").path("content").asText().contains("<b>"));
        assertEquals("cv.txt", html.get("attachments").get(0).path("name").asText());
        assertEquals(200, bytes.getStatusCode());
        assertArrayEquals("curriculum vitae".getBytes(StandardCharsets.UTF_8), bytes.bodyBytes());
        assertTrue(HARNESS.graph.requests("GET", ".*/attachments/" + Pattern.quote(attachmentId) + "/\\$value").size() > 0,
                "the raw bytes, not base64 in JSON (a 35 MB file was ~200 MB in memory)");
        assertTrue(bytes.getHeader("Content-Disposition").startsWith("attachment;"), bytes.getHeader("Content-Disposition"));
        assertEquals("nosniff", bytes.getHeader("X-Content-Type-Options"));
    }

    @ParameterizedTest
    @EnumSource(NationalCloud.class)
    void whenTheCalendarIsReadThenTheEventsOfTheRangeComeInTheCallersTimeZone(NationalCloud cloud) {
        ConnectorHarness.Connected user = HARNESS.connect(cloud, "\"calendar\",\"calendar_read\"");
        String subject = "Interview " + UUID.randomUUID();
        assertEquals(201, HARNESS.createEvent(user.connectionId(), null, "{\"subject\":\"" + subject + "\",\"start\":{\"dateTime\":"
                + "\"2027-03-01T17:00:00\",\"timeZone\":\"UTC\"},\"end\":{\"dateTime\":\"2027-03-01T18:00:00\",\"timeZone\":\"UTC\"}}")
                .getStatusCode());

        JsonNode view = ok(HARNESS.read(user.connectionId(),
                "/events?start=2027-03-01T00:00:00&end=2027-03-02T00:00:00&timeZone=Pacific%20Standard%20Time"));
        JsonNode before = ok(HARNESS.read(user.connectionId(), "/events?start=2027-02-01T00:00:00&end=2027-02-02T00:00:00"));

        JsonNode event = StreamSupport.stream(view.get("events").spliterator(), false)
                .filter(e -> e.path("subject").asText().equals(subject)).findFirst().orElseThrow();
        assertTrue(event.path("start").path("dateTime").asText().startsWith("2027-03-01T09:00:00"), event.toString());
        assertEquals("Pacific Standard Time", event.path("start").path("timeZone").asText());
        assertEquals(0, before.get("events").size());

        JsonNode tokyo = StreamSupport.stream(ok(HARNESS.read(user.connectionId(),
                "/events?start=2027-03-01T00:00:00&end=2027-03-03T00:00:00&timeZone=Asia/Tokyo")).get("events").spliterator(), false)
                .filter(e -> e.path("subject").asText().equals(subject)).findFirst().orElseThrow();
        assertTrue(tokyo.path("start").path("dateTime").asText().startsWith("2027-03-02T02:00:00"), tokyo.toString());
        assertEquals("Asia/Tokyo", tokyo.path("start").path("timeZone").asText(), "the zone as the caller named it");
        String prefer = HARNESS.graph.requests("GET", ".*/calendarView").stream().reduce((a, b) -> b).orElseThrow().header("Prefer");
        assertTrue(prefer.contains("outlook.timezone=\"Tokyo Standard Time\""), "Graph is asked by the Windows name: " + prefer);
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL"})
    void whenTheConnectionCannotReadOrAsksWronglyThenAClearProblemAndNoGraphCall(NationalCloud cloud) {
        ConnectorHarness.Connected calendarOnly = HARNESS.connect(cloud, "\"calendar\"");
        int before = HARNESS.graph.requests().size();

        FakeHttpResponse denied = HARNESS.read(calendarOnly.connectionId(), "/messages");
        FakeHttpResponse badCursor = HARNESS.read(calendarOnly.connectionId(), "/messages?cursor=nonsense&pageSize=500");
        FakeHttpResponse badRange = HARNESS.read(calendarOnly.connectionId(), "/events?start=2027-03-02T00:00:00&end=2027-03-01T00:00:00");
        FakeHttpResponse misspelt = HARNESS.read(calendarOnly.connectionId(), "/messages/AAMkAGI2TG93AAA=?bodytype=text");
        FakeHttpResponse misspeltOnAttachment = HARNESS.read(calendarOnly.connectionId(),
                "/messages/AAMkAGI2TG93AAA=/attachments/AAMkAGI2TG93AAA=?mailbx=jobs@contoso.com");
        // 2027-03-14 02:30 does not exist in Pacific time (clocks go from 02:00 to 03:00): refused as for an event's times
        FakeHttpResponse skipped = HARNESS.read(calendarOnly.connectionId(),
                "/events?start=2027-03-14T02:30:00&end=2027-03-15T00:00:00&timeZone=Pacific%20Standard%20Time");

        assertEquals(403, denied.getStatusCode(), denied.bodyText());
        assertEquals("missing_permissions", ConnectorHarness.json(denied.bodyText()).path("code").asText());
        assertEquals(400, badCursor.getStatusCode());
        assertEquals(2, ConnectorHarness.json(badCursor.bodyText()).path("errors").size(), badCursor.bodyText());
        assertEquals(400, badRange.getStatusCode());
        assertEquals(400, skipped.getStatusCode(), skipped.bodyText());
        assertEquals(400, misspelt.getStatusCode(), "not answered in HTML as if bodyType were right: " + misspelt.bodyText());
        assertEquals("bodytype", ConnectorHarness.json(misspelt.bodyText()).path("errors").get(0).path("field").asText());
        assertEquals(400, misspeltOnAttachment.getStatusCode(), misspeltOnAttachment.bodyText());
        assertEquals("mailbx", ConnectorHarness.json(misspeltOnAttachment.bodyText()).path("errors").get(0).path("field").asText());
        JsonNode skippedError = ConnectorHarness.json(skipped.bodyText()).path("errors").get(0);
        assertEquals("start", skippedError.path("field").asText(), skipped.bodyText());
        assertTrue(skippedError.path("message").asText().contains("does not exist in Pacific Standard Time"), skipped.bodyText());
        assertEquals(before, HARNESS.graph.requests().size(), "refused before Graph");
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"USGOVDOD", "CHINA"})
    void whenASharedMailboxIsReadThenItsMailAndCalendarComeThroughTheSharedPermissions(NationalCloud cloud) {
        ConnectorHarness.Connected reader = HARNESS.connect(cloud, "\"shared_mailbox_read\",\"shared_calendar_read\"");
        String shared = "jobs-" + UUID.randomUUID().toString().substring(0, 6) + "@" + reader.user().userPrincipalName().split("@")[1];
        deliver(shared, "d@fabrikam.com", "to the team", "team cv");
        FakeHttpResponse noRights = HARNESS.read(reader.connectionId(), "/messages?mailbox=" + shared);
        HARNESS.graph.grantMailboxAccess(reader.user().userPrincipalName(), shared, false);
        ConnectorHarness.Connected organizer = HARNESS.connect(cloud, "\"calendar\",\"shared_calendar\"");
        HARNESS.graph.grantMailboxAccess(organizer.user().userPrincipalName(), shared, true);
        assertEquals(201, HARNESS.createEvent(organizer.connectionId(), null, "{\"calendarOwner\":\"" + shared + "\",\"subject\":\"Team "
                + "interview\",\"start\":{\"dateTime\":\"2027-04-01T09:00:00\",\"timeZone\":\"UTC\"},\"end\":{\"dateTime\":"
                + "\"2027-04-01T10:00:00\",\"timeZone\":\"UTC\"}}").getStatusCode());

        JsonNode inbox = ok(HARNESS.read(reader.connectionId(), "/messages?mailbox=" + shared));
        String id = inbox.get("messages").get(0).get("id").asText();
        JsonNode message = ok(HARNESS.read(reader.connectionId(), "/messages/" + id + "?mailbox=" + shared + "&bodyType=text"));
        FakeHttpResponse bytes = HARNESS.read(reader.connectionId(), "/messages/" + id + "/attachments/"
                + message.get("attachments").get(0).get("id").asText() + "?mailbox=" + shared);
        JsonNode events = ok(HARNESS.read(reader.connectionId(), "/events?mailbox=" + shared + "&start=2027-04-01T00:00:00&end=2027-04-02T00:00:00"));
        FakeHttpResponse ownInbox = HARNESS.read(reader.connectionId(), "/messages");

        assertEquals(403, noRights.getStatusCode(), noRights.bodyText());
        assertEquals("mailbox_access_denied", ConnectorHarness.json(noRights.bodyText()).path("code").asText());
        assertEquals(List.of("to the team"), subjects(inbox));
        assertTrue(message.path("body").path("content").asText().contains("to the team"));
        assertArrayEquals("team cv".getBytes(StandardCharsets.UTF_8), bytes.bodyBytes());
        assertEquals(List.of("Team interview"), StreamSupport.stream(events.get("events").spliterator(), false)
                .map(e -> e.path("subject").asText()).toList());
        assertEquals(403, ownInbox.getStatusCode(), "shared_mailbox_read is not the user's own mail: " + ownInbox.bodyText());
        assertTrue(HARNESS.graph.requests().stream().filter(r -> reader.user().userPrincipalName().equals(r.userUpn()))
                .allMatch(r -> r.path().toLowerCase().startsWith("/users/" + shared)), "every read went to /users/{shared mailbox}");
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL"})
    void whenASharedMailboxIsAskedWithoutItsFeatureOrWithABadAddressThenAClearProblemAndNoGraphCall(NationalCloud cloud) {
        ConnectorHarness.Connected own = HARNESS.connect(cloud, "\"mail_read\",\"calendar_read\"");
        int before = HARNESS.graph.requests().size();

        FakeHttpResponse mail = HARNESS.read(own.connectionId(), "/messages?mailbox=jobs@contoso.com");
        FakeHttpResponse calendar = HARNESS.read(own.connectionId(), "/events?mailbox=jobs@contoso.com&start=2027-04-01T00:00:00"
                + "&end=2027-04-02T00:00:00");
        FakeHttpResponse badAddress = HARNESS.read(own.connectionId(), "/messages/AAMk1?mailbox=not-an-address");

        assertEquals(403, mail.getStatusCode(), mail.bodyText());
        assertEquals("missing_permissions", ConnectorHarness.json(mail.bodyText()).path("code").asText());
        assertTrue(ConnectorHarness.json(mail.bodyText()).path("detail").asText().contains("shared_mailbox_read"), mail.bodyText());
        assertEquals(403, calendar.getStatusCode());
        assertTrue(ConnectorHarness.json(calendar.bodyText()).path("detail").asText().contains("shared_calendar_read"), calendar.bodyText());
        assertEquals(400, badAddress.getStatusCode());
        assertEquals("mailbox", ConnectorHarness.json(badAddress.bodyText()).path("errors").get(0).path("field").asText(), badAddress.bodyText());
        assertEquals(before, HARNESS.graph.requests().size(), "refused before Graph");
    }
}
