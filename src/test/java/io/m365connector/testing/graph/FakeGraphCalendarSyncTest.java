package io.m365connector.testing.graph;

import static io.m365connector.testing.graph.FakeGraphDeltaTest.reason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.graph.models.DateTimeTimeZone;
import com.microsoft.graph.models.Event;
import com.microsoft.graph.models.EventCollectionResponse;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.graph.users.item.calendarview.delta.DeltaGetResponse;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.entra.FakeUser;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** calendarView and calendarView delta on the fake Graph, over the events FakeGraph keeps, through the real Graph SDK. */
class FakeGraphCalendarSyncTest {
    private static final String ADELE = "adele.vance@contoso.us";
    private static final String START = "2030-05-01T00:00:00Z";
    private static final String END = "2030-05-02T00:00:00Z";
    private static final String PACIFIC = "outlook.timezone=\"Pacific Standard Time\"";

    private final SyncBench bench = new SyncBench();
    private final FakeGraph graph = bench.graph;
    private final FakeUser adele = bench.user(NationalCloud.USGOV, ADELE);
    private final GraphServiceClient sdk = bench.sdk(adele, SyncBench.CALENDAR);

    @AfterEach
    void tearDown() {
        bench.close();
    }

    @Test
    void whenCalendarViewIsAskedThenEventsInTheWindowComeInThePreferredZoneAndPaged() {
        create("Standup", "2030-05-01T09:00:00");
        create("Review", "2030-05-01T15:00:00");
        create("Next month", "2030-06-01T09:00:00");

        EventCollectionResponse first = sdk.me().calendarView().get(rc -> {
            rc.queryParameters.startDateTime = START;
            rc.queryParameters.endDateTime = END;
            rc.queryParameters.top = 1;
            rc.headers.add("Prefer", PACIFIC);
        });
        EventCollectionResponse second = sdk.me().calendarView().withUrl(first.getOdataNextLink()).get(rc -> rc.headers.add("Prefer", PACIFIC));
        EventCollectionResponse utc = sdk.me().calendarView().get(rc -> {
            rc.queryParameters.startDateTime = START;
            rc.queryParameters.endDateTime = END;
        });

        assertEquals("Standup", first.getValue().get(0).getSubject());
        assertEquals("2030-05-01T02:00:00.0000000", first.getValue().get(0).getStart().getDateTime());
        assertEquals("Pacific Standard Time", first.getValue().get(0).getStart().getTimeZone());
        assertEquals("Review", second.getValue().get(0).getSubject());
        assertNull(second.getOdataNextLink());
        assertEquals(2, utc.getValue().size());
        assertEquals("UTC", utc.getValue().get(0).getStart().getTimeZone());
        assertEquals("2030-05-01T09:00:00.0000000", utc.getValue().get(0).getStart().getDateTime());
    }

    @Test
    void whenTheWindowIsMissingOrTooLongThenCalendarViewAnswers400() {
        ODataError missing = assertThrows(ODataError.class, () -> sdk.me().calendarView().get());
        ODataError tooLong = assertThrows(ODataError.class, () -> sdk.me().calendarView().get(rc -> {
            rc.queryParameters.startDateTime = "2030-01-01T00:00:00Z";
            rc.queryParameters.endDateTime = "2035-01-02T00:00:00Z";
        }));

        assertEquals("ErrorInvalidParameter", missing.getError().getCode());
        assertEquals("ErrorInvalidRequest", tooLong.getError().getCode());
        assertTrue(tooLong.getError().getMessage().contains("1825"), tooLong.getError().getMessage());
    }

    @Test
    void whenEventsChangeAfterADeltaLinkThenChangesInTheWindowComeAndChangesOutsideAreReportedRemoved() {
        Event kept = create("Kept", "2030-05-01T08:00:00");
        Event patched = create("Patched", "2030-05-01T09:00:00");
        Event deleted = create("Deleted", "2030-05-01T10:00:00");
        Event outside = create("Outside", "2030-06-01T09:00:00");
        List<DeltaGetResponse> initial = round(null, "odata.maxpagesize=2, " + PACIFIC);

        Event change = new Event();
        change.setSubject("Patched again");
        sdk.me().events().byEventId(patched.getId()).patch(change);
        sdk.me().events().byEventId(deleted.getId()).delete();
        sdk.me().events().byEventId(outside.getId()).patch(change);
        Event added = create("Added", "2030-05-01T11:00:00");
        Event addedOutside = create("Added outside", "2030-07-01T11:00:00");
        graph.addInvitation(ADELE, invitation("Invited", "2030-05-01T12:00:00"));
        List<Event> changes = items(round(last(initial).getOdataDeltaLink(), PACIFIC));

        assertEquals(List.of(2, 1), initial.stream().map(p -> p.getValue().size()).toList());
        assertEquals(Set.of("Kept", "Patched", "Deleted"), Set.copyOf(items(initial).stream().map(Event::getSubject).toList()));
        assertEquals("2030-05-01T01:00:00.0000000", items(initial).get(0).getStart().getDateTime(), "in the preferred zone");
        List<Event> full = changes.stream().filter(e -> reason(e) == null).toList();
        assertEquals(Set.of("Patched again", "Added", "Invited"), Set.copyOf(full.stream().map(Event::getSubject).toList()));
        assertEquals(Set.of(deleted.getId(), outside.getId(), addedOutside.getId()),
                Set.copyOf(changes.stream().filter(e -> "deleted".equals(reason(e))).map(Event::getId).toList()),
                "deleted in the window, and changed or added outside it, all as @removed deleted");
        assertTrue(changes.stream().noneMatch(e -> e.getId().equals(kept.getId())));
        assertTrue(full.stream().anyMatch(e -> e.getId().equals(added.getId())));
    }

    @Test
    void whenOutsideChangesAreNotReportedThenOnlyTheWindowCounts() {
        Event outside = create("Outside", "2030-06-01T09:00:00");
        String link = last(round(null, null)).getOdataDeltaLink();
        graph.delta().setReportOutsideWindow(false);

        Event change = new Event();
        change.setSubject("Moved on");
        sdk.me().events().byEventId(outside.getId()).patch(change);

        assertEquals(List.of(), items(round(link, null)));
    }

    @Test
    void whenCalendarViewDeltaHasNoWindowOrASelectThenGraphAnswers400() {
        ODataError noWindow = assertThrows(ODataError.class, () -> sdk.me().calendarView().delta().get());
        ODataError select = assertThrows(ODataError.class, () -> sdk.me().calendarView().delta().get(rc -> {
            rc.queryParameters.startDateTime = START;
            rc.queryParameters.endDateTime = END;
            rc.queryParameters.select = new String[] {"subject"};
        }));

        assertEquals("ErrorInvalidParameter", noWindow.getError().getCode());
        assertEquals(400, select.getResponseStatusCode());
    }

    @Test
    void whenSyncStateExpiresThenTheCalendarDeltaLinkAnswers410WithALocationKeepingTheWindow() {
        create("Standup", "2030-05-01T09:00:00");
        String link = last(round(null, null)).getOdataDeltaLink();
        graph.delta().setSyncStateLoss(FakeDelta.SyncStateLoss.RESYNC_REQUIRED_WITH_LOCATION);

        graph.delta().expireSyncState(ADELE);
        ODataError gone = assertThrows(ODataError.class, () -> delta(link, null));

        assertEquals(410, gone.getResponseStatusCode());
        String location = gone.getResponseHeaders().get("Location").iterator().next();
        assertTrue(location.contains("startDateTime=2030-05-01T00%3A00%3A00Z") && location.endsWith("$deltatoken="), location);
        assertEquals(List.of("Standup"), items(round(location, null)).stream().map(Event::getSubject).toList());
    }

    @Test
    void whenAChinaUserSyncsTheCalendarThenCalendarViewDeltaIsServed() {
        FakeUser li = bench.user(NationalCloud.CHINA, "li.wei@contoso.partner.onmschina.cn");
        GraphServiceClient china = bench.sdk(li, SyncBench.CALENDAR);

        DeltaGetResponse page = china.me().calendarView().delta().get(rc -> {
            rc.queryParameters.startDateTime = START;
            rc.queryParameters.endDateTime = END;
        });

        assertTrue(page.getOdataDeltaLink().startsWith("https://microsoftgraph.chinacloudapi.cn/v1.0/me/calendarView/delta?$deltatoken="),
                page.getOdataDeltaLink());
    }

    // ------------------------------------------------------------------ helpers

    private Event create(String subject, String startUtc) {
        Event e = new Event();
        e.setSubject(subject);
        e.setStart(time(startUtc));
        e.setEnd(time(startUtc.substring(0, 11) + String.format("%02d", Integer.parseInt(startUtc.substring(11, 13)) + 1)
                + startUtc.substring(13)));
        return sdk.me().events().post(e);
    }

    private static DateTimeTimeZone time(String local) {
        DateTimeTimeZone t = new DateTimeTimeZone();
        t.setDateTime(local);
        t.setTimeZone("UTC");
        return t;
    }

    private static ObjectNode invitation(String subject, String startUtc) {
        ObjectNode e = GraphJson.object();
        e.put("subject", subject);
        e.putObject("start").put("dateTime", startUtc).put("timeZone", "UTC");
        e.putObject("end").put("dateTime", startUtc.replace("T12:", "T13:")).put("timeZone", "UTC");
        return e;
    }

    private DeltaGetResponse delta(String link, String prefer) {
        var builder = sdk.me().calendarView().delta();
        if (link != null) {
            return builder.withUrl(link).get(rc -> prefer(rc.headers, prefer));
        }
        return builder.get(rc -> {
            rc.queryParameters.startDateTime = START;
            rc.queryParameters.endDateTime = END;
            prefer(rc.headers, prefer);
        });
    }

    private static void prefer(com.microsoft.kiota.RequestHeaders headers, String prefer) {
        if (prefer != null) {
            headers.add("Prefer", prefer);
        }
    }

    private List<DeltaGetResponse> round(String link, String prefer) {
        List<DeltaGetResponse> pages = new ArrayList<>();
        DeltaGetResponse page = delta(link, prefer);
        pages.add(page);
        while (page.getOdataNextLink() != null) {
            page = delta(page.getOdataNextLink(), prefer);
            pages.add(page);
        }
        return pages;
    }

    private static DeltaGetResponse last(List<DeltaGetResponse> pages) {
        return pages.get(pages.size() - 1);
    }

    private static List<Event> items(List<DeltaGetResponse> pages) {
        return pages.stream().flatMap(p -> p.getValue().stream()).toList();
    }
}
