package io.m365connector.testing.graph;

import static io.m365connector.testing.graph.FakeGraphMailReadTest.outgoing;
import static io.m365connector.testing.graph.FakeGraphMailReadTest.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.graph.models.Message;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.graph.users.item.mailfolders.item.messages.delta.DeltaGetResponse;
import com.microsoft.kiota.serialization.AdditionalDataHolder;
import com.microsoft.kiota.serialization.UntypedObject;
import com.microsoft.kiota.serialization.UntypedString;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.entra.FakeUser;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Message and mail folder delta on the fake Graph, read through the real Graph SDK. */
class FakeGraphDeltaTest {
    private static final String ADELE = "adele.vance@contoso.us";
    private static final String IMMUTABLE = "IdType=\"ImmutableId\"";

    private final SyncBench bench = new SyncBench();
    private final FakeGraph graph = bench.graph;
    private final FakeMailStore mail = graph.mail();
    private final FakeUser adele = bench.user(NationalCloud.USGOV, ADELE);
    private final GraphServiceClient sdk = bench.sdk(adele, SyncBench.MAIL);

    @AfterEach
    void tearDown() {
        bench.close();
    }

    @Test
    void whenAFolderIsSyncedFirstThenEveryMessageComesInPagesOfTheMaxPageSizeAndOnlyTheLastHasADeltaLink() {
        for (int i = 1; i <= 5; i++) {
            mail.deliver(ADELE, received("M" + i, "dana@fabrikam.example", "text", "x"));
        }

        List<DeltaGetResponse> pages = round(null, "odata.maxpagesize=2");
        DeltaGetResponse unpaged = delta(null, null);

        assertEquals(List.of(2, 2, 1), pages.stream().map(p -> p.getValue().size()).toList());
        assertTrue(pages.get(0).getOdataNextLink().contains("/mailFolders('" + mail.folderId(ADELE, "inbox") + "')/messages/delta?$skiptoken="),
                pages.get(0).getOdataNextLink());
        assertNull(pages.get(0).getOdataDeltaLink(), "never both links on one page");
        assertNull(pages.get(2).getOdataNextLink());
        assertTrue(pages.get(2).getOdataDeltaLink().contains("$deltatoken="), pages.get(2).getOdataDeltaLink());
        assertEquals(Set.of("M1", "M2", "M3", "M4", "M5"), Set.copyOf(subjects(pages)));
        assertEquals(5, unpaged.getValue().size(), "default page size 10");
        assertNotNull(unpaged.getOdataDeltaLink());
    }

    @Test
    void whenMessagesChangeAfterADeltaLinkThenOnlyTheChangesComeAndRemovalsAreMarked() {
        String unchanged = mail.deliver(ADELE, received("Unchanged", "dana@fabrikam.example", "text", "x"));
        String read = mail.deliver(ADELE, received("Read", "dana@fabrikam.example", "text", "x"));
        String moved = mail.deliver(ADELE, received("Moved", "dana@fabrikam.example", "text", "x"));
        String purged = mail.deliver(ADELE, received("Purged", "dana@fabrikam.example", "text", "x"));
        String link = last(round(null, null)).getOdataDeltaLink();

        mail.markRead(ADELE, read, true);
        mail.move(ADELE, moved, "archive");
        mail.hardDelete(ADELE, purged);
        mail.deliver(ADELE, received("New", "dana@fabrikam.example", "text", "x"));
        List<DeltaGetResponse> changes = round(link, null);
        DeltaGetResponse nothing = delta(last(changes).getOdataDeltaLink(), null);

        List<Message> items = items(changes);
        assertEquals(Set.of(moved, purged), Set.copyOf(removedIds(items)), "moved out and deleted are both @removed");
        assertEquals(List.of("deleted", "deleted"), removed(items).stream().map(FakeGraphDeltaTest::reason).toList());
        List<Message> full = items.stream().filter(m -> !m.getAdditionalData().containsKey("@removed")).toList();
        assertEquals(Set.of("Read", "New"), Set.copyOf(full.stream().map(Message::getSubject).toList()));
        assertTrue(full.stream().filter(m -> m.getId().equals(read)).findFirst().orElseThrow().getIsRead());
        assertFalse(items.stream().anyMatch(m -> m.getId().equals(unchanged)));
        assertEquals(List.of(), nothing.getValue());
        assertTrue(graph.requests().stream().anyMatch(r -> r.path().endsWith("/messages/delta()")), "the SDK calls delta()");
    }

    @Test
    void whenChangesHaveNotReachedTheDeltaYetThenARoundShowsNothingAndTheNextAfterTheDelayShowsThem() {
        String link = last(round(null, null)).getOdataDeltaLink();
        graph.delta().setProcessingDelay(ADELE, true);
        mail.deliver(ADELE, received("Late", "dana@fabrikam.example", "text", "x"));

        List<DeltaGetResponse> early = round(link, null);
        graph.delta().setProcessingDelay(ADELE, false);

        assertEquals(List.of(), subjects(early), "not in the delta yet");
        assertEquals(List.of("Late"), subjects(round(last(early).getOdataDeltaLink(), null)), "the link of the early round still brings it");
    }

    @Test
    void whenTheSameDeltaLinkIsUsedTwiceThenTheSameChangesComeAgain() {
        String link = last(round(null, null)).getOdataDeltaLink();
        mail.deliver(ADELE, received("New", "dana@fabrikam.example", "text", "x"));

        List<String> first = subjects(round(link, null));
        List<String> again = subjects(round(link, null));

        assertEquals(List.of("New"), first);
        assertEquals(first, again);
    }

    @Test
    void whenAMessageMovesOutAndBackThenDefaultIdsReportItRemovedAndNewAndImmutableIdsOnlyRemovedUntilItChanges() {
        String id = mail.deliver(ADELE, received("Wanderer", "dana@fabrikam.example", "text", "x"));
        String immutable = mail.immutableId(ADELE, id);
        String defaultLink = last(round(null, null)).getOdataDeltaLink();
        String immutableLink = last(round(null, IMMUTABLE)).getOdataDeltaLink();

        String away = mail.move(ADELE, id, "archive");
        String back = mail.move(ADELE, away, "inbox");
        List<Message> byDefault = items(round(defaultLink, null));
        List<DeltaGetResponse> immutableRound = round(immutableLink, IMMUTABLE);
        List<Message> byImmutable = items(immutableRound);

        assertEquals(List.of(id), removedIds(byDefault));
        assertEquals(List.of(back), byDefault.stream().filter(m -> m.getSubject() != null).map(Message::getId).toList());
        assertEquals(List.of(immutable), removedIds(byImmutable), "reported removed though it is back (microsoft-graph-docs-contrib#72)");
        assertEquals(1, byImmutable.size());
        String nextLink = last(immutableRound).getOdataDeltaLink();
        List<DeltaGetResponse> quiet = round(nextLink, IMMUTABLE);
        assertEquals(List.of(), items(quiet), "not reported again while it does not change");

        mail.markRead(ADELE, back, true);
        List<Message> changed = items(round(last(quiet).getOdataDeltaLink(), IMMUTABLE));
        assertEquals(List.of("Wanderer"), changed.stream().map(Message::getSubject).toList(), "a change brings it back");
    }

    @Test
    void whenMoveBackAsUpdateIsChosenThenImmutableIdsKeepOneItem() {
        graph.delta().setImmutableMoveBackAsUpdate(true);
        String id = mail.deliver(ADELE, received("Wanderer", "dana@fabrikam.example", "text", "x"));
        String immutable = mail.immutableId(ADELE, id);
        String immutableLink = last(round(null, IMMUTABLE)).getOdataDeltaLink();

        mail.move(ADELE, mail.move(ADELE, id, "archive"), "inbox");
        List<Message> byImmutable = items(round(immutableLink, IMMUTABLE));

        assertEquals(1, byImmutable.size());
        assertEquals(immutable, byImmutable.get(0).getId());
        assertEquals("Wanderer", byImmutable.get(0).getSubject());
    }

    @Test
    void whenSyncStateIsExpiredThenDeltaAndSkipLinksAnswer410InTheChosenVariant() {
        for (int i = 1; i <= 3; i++) {
            mail.deliver(ADELE, received("M" + i, "dana@fabrikam.example", "text", "x"));
        }
        DeltaGetResponse firstPage = delta(null, "odata.maxpagesize=2");
        String link = last(round(null, null)).getOdataDeltaLink();

        graph.delta().expireSyncState(ADELE);
        ODataError outlook = assertThrows(ODataError.class, () -> delta(link, null));
        ODataError midRound = assertThrows(ODataError.class, () -> delta(firstPage.getOdataNextLink(), null));
        graph.delta().setSyncStateLoss(FakeDelta.SyncStateLoss.SYNC_STATE_NOT_FOUND_AS_DOCUMENTED);
        ODataError documented = assertThrows(ODataError.class, () -> delta(link, null));
        graph.delta().setSyncStateLoss(FakeDelta.SyncStateLoss.RESYNC_REQUIRED_WITH_LOCATION);
        ODataError resync = assertThrows(ODataError.class, () -> delta(link, null));

        assertEquals(410, outlook.getResponseStatusCode());
        assertEquals("SyncStateNotFound", outlook.getError().getCode());
        assertEquals("SyncStateNotFound", midRound.getError().getCode(), "skip tokens of the mailbox expire too");
        assertEquals("syncStateNotFound", documented.getError().getCode());
        assertEquals("resyncRequired", resync.getError().getCode());
        String location = resync.getResponseHeaders().get("Location").iterator().next();
        assertTrue(location.endsWith("/messages/delta?$deltatoken="), location);
        List<DeltaGetResponse> restarted = round(location, null);
        assertEquals(3, items(restarted).size(), "the Location is a first call: everything again");
        assertNotNull(delta(last(restarted).getOdataDeltaLink(), null).getOdataDeltaLink(), "new tokens work");
    }

    @Test
    void whenAReplayIsScriptedThenTheNextDeltaCallReturnsThePreviousPageAgain() {
        String link = last(round(null, null)).getOdataDeltaLink();
        mail.deliver(ADELE, received("Once", "dana@fabrikam.example", "text", "x"));
        DeltaGetResponse changes = delta(link, null);

        graph.delta().replayNextDeltaPage(ADELE);
        DeltaGetResponse replayed = delta(changes.getOdataDeltaLink(), null);
        DeltaGetResponse after = delta(replayed.getOdataDeltaLink(), null);

        assertEquals(List.of("Once"), subjects(List.of(replayed)));
        assertEquals(changes.getOdataDeltaLink(), replayed.getOdataDeltaLink(), "word for word, links included");
        assertEquals(List.of(), after.getValue());
    }

    @Test
    void whenThePageLimitIsBelowThePreferenceThenPagesAreShorter() {
        for (int i = 1; i <= 3; i++) {
            mail.deliver(ADELE, received("M" + i, "dana@fabrikam.example", "text", "x"));
        }
        graph.delta().setPageLimit(1);

        List<DeltaGetResponse> pages = round(null, "odata.maxpagesize=50");

        assertEquals(List.of(1, 1, 1), pages.stream().map(p -> p.getValue().size()).toList());
    }

    @Test
    void whenChangeTypeAndSelectAreGivenThenTheTokensCarryThem() {
        String old = mail.deliver(ADELE, received("Old", "dana@fabrikam.example", "text", "x"));
        DeltaGetResponse first = sdk.me().mailFolders().byMailFolderId("inbox").messages().delta().get(rc -> {
            rc.queryParameters.changeType = "created";
            rc.queryParameters.select = new String[] {"subject"};
        });
        mail.update(ADELE, old, "Old, renamed");
        mail.deliver(ADELE, received("New", "dana@fabrikam.example", "text", "x"));

        DeltaGetResponse next = delta(first.getOdataDeltaLink(), null);

        assertEquals(List.of("New"), subjects(List.of(next)), "only created");
        assertNull(next.getValue().get(0).getBody(), "$select kept from the first call");
        assertFalse(next.getOdataDeltaLink().contains("changeType"), "the token carries the query, not the link");
    }

    @Test
    void whenDraftsAreCreatedAndSentThenDraftsAndSentItemsDeltasSeeIt() {
        String drafts = last(round("drafts", null, null)).getOdataDeltaLink();
        String sent = last(round("sentitems", null, null)).getOdataDeltaLink();

        Message draft = sdk.me().messages().post(outgoing("Report", "someone@fabrikam.example"));
        List<DeltaGetResponse> created = round("drafts", drafts, null);
        sdk.me().messages().byMessageId(draft.getId()).send().post();

        assertEquals(List.of(draft.getId()), items(created).stream().map(Message::getId).toList());
        assertEquals(List.of(draft.getId()), removedIds(items(round("drafts", last(created).getOdataDeltaLink(), null))));
        List<Message> inSent = items(round("sentitems", sent, null));
        assertEquals(List.of("Report"), inSent.stream().map(Message::getSubject).toList());
        assertNotEquals(draft.getId(), inSent.get(0).getId());
    }

    @Test
    void whenChinaIsAskedForMessageOrFolderDeltaThenItAnswers400ErrorInvalidIdMalformedUnlessSwitchedOn() {
        FakeUser li = bench.user(NationalCloud.CHINA, "li.wei@contoso.partner.onmschina.cn");
        GraphServiceClient china = bench.sdk(li, SyncBench.MAIL_READ);

        ODataError messages = assertThrows(ODataError.class, () -> china.me().mailFolders().byMailFolderId("inbox").messages().delta().get());
        ODataError folders = assertThrows(ODataError.class, () -> china.me().mailFolders().delta().get());
        graph.setSyncSupport(NationalCloud.CHINA, SyncCloudSupport.ALL);

        assertEquals(400, messages.getResponseStatusCode());
        assertEquals("ErrorInvalidIdMalformed", messages.getError().getCode());
        assertEquals("ErrorInvalidIdMalformed", folders.getError().getCode());
        assertNotNull(china.me().mailFolders().byMailFolderId("inbox").messages().delta().get().getOdataDeltaLink());
        assertEquals("microsoftgraph.chinacloudapi.cn", graph.requests().get(graph.requests().size() - 1).host());
    }

    @Test
    void whenMailFoldersAreSyncedThenTheFirstRoundListsThemAndLaterRoundsAreEmpty() {
        var first = sdk.me().mailFolders().delta().get();
        var next = sdk.me().mailFolders().delta().withUrl(first.getOdataDeltaLink()).get();

        assertEquals(5, first.getValue().size());
        assertEquals(List.of(), next.getValue());
        graph.delta().expireSyncState(ADELE);
        assertEquals(410, assertThrows(ODataError.class, () -> sdk.me().mailFolders().delta().withUrl(first.getOdataDeltaLink()).get())
                .getResponseStatusCode());
    }

    // ------------------------------------------------------------------ helpers

    private DeltaGetResponse delta(String link, String prefer) {
        return delta("inbox", link, prefer);
    }

    private DeltaGetResponse delta(String folder, String link, String prefer) {
        var builder = sdk.me().mailFolders().byMailFolderId(folder).messages().delta();
        Consumer<com.microsoft.graph.users.item.mailfolders.item.messages.delta.DeltaRequestBuilder.GetRequestConfiguration> config =
                rc -> {
                    if (prefer != null) {
                        rc.headers.add("Prefer", prefer);
                    }
                };
        return link == null ? builder.get(config) : builder.withUrl(link).get(config);
    }

    /** One round: from {@code link} (null: the first call) through every nextLink to the page with the deltaLink. */
    private List<DeltaGetResponse> round(String link, String prefer) {
        return round("inbox", link, prefer);
    }

    private List<DeltaGetResponse> round(String folder, String link, String prefer) {
        List<DeltaGetResponse> pages = new ArrayList<>();
        DeltaGetResponse page = delta(folder, link, prefer);
        pages.add(page);
        while (page.getOdataNextLink() != null) {
            page = delta(folder, page.getOdataNextLink(), prefer);
            pages.add(page);
        }
        return pages;
    }

    private static DeltaGetResponse last(List<DeltaGetResponse> pages) {
        return pages.get(pages.size() - 1);
    }

    private static List<Message> items(List<DeltaGetResponse> pages) {
        return pages.stream().flatMap(p -> p.getValue().stream()).toList();
    }

    private static List<String> subjects(List<DeltaGetResponse> pages) {
        return items(pages).stream().map(Message::getSubject).toList();
    }

    private static List<Message> removed(List<Message> items) {
        return items.stream().filter(m -> m.getAdditionalData().containsKey("@removed")).toList();
    }

    /** The {@code @removed.reason} of a delta item, or null. */
    static String reason(AdditionalDataHolder item) {
        Object removed = item.getAdditionalData().get("@removed");
        if (removed instanceof UntypedObject o && o.getValue().get("reason") instanceof UntypedString reason) {
            return reason.getValue();
        }
        return null;
    }

    private static List<String> removedIds(List<Message> items) {
        return removed(items).stream().map(Message::getId).toList();
    }
}
