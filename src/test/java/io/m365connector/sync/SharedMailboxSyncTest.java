package io.m365connector.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.TableServiceClient;
import com.azure.data.tables.TableServiceClientBuilder;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.azure.functions.HttpMethod;
import io.m365connector.app.ContextParts;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.functions.ConnectionFunctions;
import io.m365connector.functions.SyncFunctions;
import io.m365connector.platform.Json;
import io.m365connector.testing.Azurite;
import io.m365connector.testing.ClockSleeper;
import io.m365connector.testing.ConnectorHarness;
import io.m365connector.testing.FakeExecutionContext;
import io.m365connector.testing.FakeHttpRequest;
import io.m365connector.testing.FakeHttpResponse;
import io.m365connector.testing.KillSwitch;
import io.m365connector.testing.RefusedCall;
import io.m365connector.testing.entra.FakeUser;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Shared mailboxes the web app names ({@code PUT /api/connections/{id}/shared-mailboxes/{address}}) are synced
 * by delta polling on {@code /users/{address}/...}: their changes reach the same feed with {@code mailbox}, within
 * the poll interval, with no subscription at Graph (delegated subscriptions do not cover other users' mailboxes:
 * https://learn.microsoft.com/graph/outlook-share-messages-folders). The inbox runs where Graph serves message
 * delta (not 21Vianet); the calendar in every cloud.
 */
class SharedMailboxSyncTest {
    private static final ConnectorHarness HARNESS = ConnectorHarness.withClockedQueues(env -> { });
    private static final TableServiceClient TABLES = new TableServiceClientBuilder().connectionString(Azurite.shared().connectionString())
            .buildClient();
    private static final String FEATURES = "\"mail_read\",\"calendar_read\",\"shared_mailbox_read\",\"shared_calendar_read\"";

    private static final Shared HOSTILE = connectWithSharedMailbox(NationalCloud.GLOBAL, true);

    @AfterAll
    static void tearDown() {
        HARNESS.close();
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "USGOV", "USGOVDOD"})
    void whenTheWebAppNamesASharedMailboxThenItsMailAndEventsReachTheFeedByPollingWithoutASubscription(NationalCloud cloud) {
        Shared s = connectWithSharedMailbox(cloud, true);
        HARNESS.graph.mail().deliverText(s.mailbox, "before naming");
        invite(s.mailbox, "Team review");

        FakeHttpResponse named = name(s.connectionId, s.mailbox.toUpperCase());
        assertEquals(201, named.getStatusCode(), named.bodyText());
        JsonNode view = ConnectorHarness.json(named.bodyText());
        assertEquals(s.mailbox, view.path("mailbox").asText(), "addresses are kept in lower case");
        assertEquals(List.of("inbox:timer_only", "calendar:timer_only"), health(view.path("sync")));
        HARNESS.drainSyncQueue();

        assertEquals(List.of("inbox:created:before naming", "calendar:created:Team review"), describe(sharedChanges(s)));
        assertTrue(HARNESS.graph.subscriptions().subscriptions(s.upn).stream().allMatch(sub -> sub.path("resource").asText().startsWith("me/")),
                "only the user's own resources are subscribed to");
        assertTrue(HARNESS.graph.requests("POST", ".*/subscriptions").stream().noneMatch(r -> r.body().contains(s.mailbox)));

        HARNESS.graph.mail().deliverText(s.mailbox, "after naming");
        HARNESS.drainSyncQueue();
        assertEquals(2, sharedChanges(s).size(), "no notification for a shared mailbox: the poll brings it");

        HARNESS.clock.advance(SyncCapabilities.POLL_INTERVAL.plusSeconds(1));
        tick();

        assertEquals(List.of("inbox:created:before naming", "calendar:created:Team review", "inbox:created:after naming"),
                describe(sharedChanges(s)));
        assertTrue(allChanges(s).stream().noneMatch(c -> c.path("mailbox").isMissingNode() && c.path("summary").path("subject").asText()
                .contains("naming")), "the shared mailbox's mail is not reported as the user's own");
        assertNoDuplicates(s);
        JsonNode status = ConnectorHarness.json(HARNESS.getConnection(s.connectionId).bodyText());
        List<String> shared = StreamSupport.stream(status.path("sync").spliterator(), false).filter(h -> h.has("mailbox"))
                .map(h -> h.path("resource").asText() + ":" + h.path("state").asText() + ":" + h.path("notifications").asText()).toList();
        assertEquals(List.of("inbox:syncing:timer_only", "calendar:syncing:timer_only"), shared);
    }

    @Test
    void whenAllOfAConnectionsTargetsAreDueThenOneTickReadsItsRowAndItsSharedMailboxOnceAndAsksForEveryRun() {
        Shared s = connectWithSharedMailbox(NationalCloud.GLOBAL, true);
        assertEquals(201, name(s.connectionId, s.mailbox).getStatusCode());
        HARNESS.drainSyncQueue();
        HARNESS.clock.advance(SyncCapabilities.SAFETY_INTERVAL.plusSeconds(1)); // its own inbox and calendar, and the shared ones
        KillSwitch recording = new KillSwitch(HARNESS.routing); // never armed: it records what the timer's instance asks storage
        SyncFunctions timer = HARNESS.newInstance(recording, HARNESS.sleeper).context().newFunction(SyncFunctions.class);

        timer.syncTimer("{\"IsPastDue\":false}", new FakeExecutionContext("syncTimer"));

        List<KillSwitch.Call> reads = recording.calls().stream().filter(c -> c.method().equals("GET") && c.path().contains(s.connectionId))
                .toList();
        assertEquals(1, reads.stream().filter(c -> c.path().contains("connections(")).count(),
                "the connection's row, read once for its four due targets: " + reads);
        assertEquals(1, reads.stream().filter(c -> c.path().contains("syncstate(")).count(),
                "the shared mailbox's naming (a sync state row), read once for its inbox and calendar: " + reads);
        List<String> runs = HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible();
        assertEquals(4, runs.stream().filter(m -> m.contains(s.connectionId)).count(), "a run for each of the four targets: " + runs);
        runs.forEach(run -> HARNESS.sync.syncWorker(run, new FakeExecutionContext("syncWorker")));
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"CHINA"})
    void whenTheCloudHasNoMessageDeltaThenOnlyTheSharedCalendarIsSynced(NationalCloud cloud) {
        Shared s = connectWithSharedMailbox(cloud, true);
        HARNESS.graph.mail().deliverText(s.mailbox, "not synced here");
        invite(s.mailbox, "Synced here");

        FakeHttpResponse named = name(s.connectionId, s.mailbox);
        assertEquals(201, named.getStatusCode(), named.bodyText());
        assertEquals(List.of("inbox:not_supported_in_cloud", "calendar:timer_only"),
                health(ConnectorHarness.json(named.bodyText()).path("sync")));
        HARNESS.drainSyncQueue();

        assertEquals(List.of("calendar:created:Synced here"), describe(sharedChanges(s)));
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL", "USGOVDOD"})
    void whenTheUserHasNoRightsOnTheMailboxThenItsSyncShowsFailingAndRecoversOnceAccessIsGranted(NationalCloud cloud) {
        Shared s = connectWithSharedMailbox(cloud, false);
        HARNESS.graph.mail().deliverText(s.mailbox, "waiting for access");

        assertEquals(201, name(s.connectionId, s.mailbox).getStatusCode());
        HARNESS.drainSyncQueue();

        assertTrue(sharedChanges(s).isEmpty());
        assertEquals(List.of("inbox:failing:mailbox_access_denied", "calendar:failing:mailbox_access_denied"), sharedStatus(s));

        HARNESS.graph.grantMailboxAccess(s.upn, s.mailbox, false);
        HARNESS.clock.advance(SyncCapabilities.POLL_INTERVAL.plusSeconds(1));
        tick();

        assertEquals(List.of("inbox:created:waiting for access"), describe(sharedChanges(s)));
        assertEquals(List.of("inbox:syncing:", "calendar:syncing:"), sharedStatus(s));
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"USGOV"})
    void whenTheMailboxIsNoLongerNamedThenItsChangesStopAndNamingItAgainResumesWithoutDuplicates(NationalCloud cloud) {
        Shared s = connectWithSharedMailbox(cloud, true);
        HARNESS.graph.mail().deliverText(s.mailbox, "first");
        assertEquals(201, name(s.connectionId, s.mailbox).getStatusCode());
        assertEquals(200, name(s.connectionId, s.mailbox).getStatusCode(), "naming it again changes nothing");
        HARNESS.drainSyncQueue();
        int deltaCalls = sharedDeltaCalls(s);

        FakeHttpResponse removed = unname(s.connectionId, s.mailbox);
        assertEquals(200, removed.getStatusCode(), removed.bodyText());
        assertTrue(ConnectorHarness.json(removed.bodyText()).path("removed").asBoolean());
        HARNESS.graph.mail().deliverText(s.mailbox, "while not named");
        HARNESS.clock.advance(SyncCapabilities.POLL_INTERVAL.plusSeconds(1));
        tick();

        assertEquals(deltaCalls, sharedDeltaCalls(s), "no more polling of a mailbox no longer named");
        assertEquals(List.of("inbox:created:first"), describe(sharedChanges(s)));
        assertTrue(sharedStatus(s).isEmpty());
        assertFalse(ConnectorHarness.json(unname(s.connectionId, s.mailbox).bodyText()).path("removed").asBoolean());

        assertEquals(201, name(s.connectionId, s.mailbox).getStatusCode());
        HARNESS.drainSyncQueue();

        assertEquals(List.of("inbox:created:first", "inbox:created:while not named"), describe(sharedChanges(s)),
                "naming it again resumes from where it stopped: what changed meanwhile, nothing twice");
        assertNoDuplicates(s);
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"GLOBAL"})
    void whenGraphLosesTheSharedMailboxsDeltaStateThenTheResyncFindsTheDeletionAndAddsNoDuplicates(NationalCloud cloud) {
        Shared s = connectWithSharedMailbox(cloud, true);
        HARNESS.graph.mail().deliverText(s.mailbox, "kept");
        String gone = HARNESS.graph.mail().deliverText(s.mailbox, "gone");
        assertEquals(201, name(s.connectionId, s.mailbox).getStatusCode());
        HARNESS.drainSyncQueue();

        HARNESS.graph.delta().expireSyncState(s.mailbox);
        HARNESS.graph.mail().hardDelete(s.mailbox, gone);
        HARNESS.clock.advance(SyncCapabilities.POLL_INTERVAL.plusSeconds(1));
        tick();

        assertEquals(List.of("inbox:created:gone", "inbox:created:kept", "inbox:deleted:"), describe(sharedChanges(s)).stream().sorted().toList());
        assertNoDuplicates(s);
    }

    @ParameterizedTest
    @EnumSource(value = NationalCloud.class, names = {"USGOVDOD"})
    void whenTheConnectionIsDisconnectedThenWhatItsSharedMailboxesKeptIsGoneNamedOrNot(NationalCloud cloud) {
        Shared s = connectWithSharedMailbox(cloud, true);
        HARNESS.graph.mail().deliverText(s.mailbox, "indexed");
        assertEquals(201, name(s.connectionId, s.mailbox).getStatusCode());
        assertEquals(201, name(s.connectionId, "other-" + s.mailbox).getStatusCode());
        HARNESS.drainSyncQueue();
        assertEquals(200, unname(s.connectionId, s.mailbox).getStatusCode()); // its index is kept for a later naming
        TableClient items = TABLES.getTableClient(HARNESS.tables.syncItems());
        String shared = "PartitionKey ge '" + s.connectionId + ".inbox.' and PartitionKey lt '" + s.connectionId + ".inbox/'";
        assertEquals(1, rows(items, shared), "the unnamed mailbox's item index is kept");

        assertEquals(200, HARNESS.deleteConnection(s.connectionId).getStatusCode());

        assertEquals(0, rows(items, shared));
        assertEquals(0, rows(TABLES.getTableClient(HARNESS.tables.syncState()), "PartitionKey eq '" + s.connectionId + "' and RowKey ne '_feed'"));
        assertEquals(1, rows(TABLES.getTableClient(HARNESS.tables.syncState()), "PartitionKey eq '" + s.connectionId + "' and RowKey eq '_feed'"),
                "the feed's counter stays, so a reconnect numbers on after the changes already read");
    }

    @Test
    void whenTheNamingIsWrongThenTheAnswerSaysWhatToDoAndNothingIsSynced() {
        Shared s = connectWithSharedMailbox(NationalCloud.GLOBAL, true);
        FakeHttpResponse bad = name(s.connectionId, "not-an-address");
        assertEquals(400, bad.getStatusCode());
        assertEquals("application/problem+json", bad.getHeader("Content-Type"));
        assertEquals("mailbox", ConnectorHarness.json(bad.bodyText()).path("errors").path(0).path("field").asText(), bad.bodyText());

        FakeHttpResponse otherOwner = send(HttpMethod.PUT, s.connectionId, s.mailbox, "owner-2");
        assertEquals(404, otherOwner.getStatusCode(), "another owner's connection answers as an unknown one");

        ConnectorHarness.Connected withoutFeature = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        FakeHttpResponse refused = name(withoutFeature.connectionId(), s.mailbox);
        assertEquals(403, refused.getStatusCode());
        JsonNode problem = ConnectorHarness.json(refused.bodyText());
        assertEquals("missing_permissions", problem.path("code").asText(), refused.bodyText());
        assertTrue(problem.path("detail").asText().contains("shared_mailbox_read"), problem.toString());

        for (int i = 0; i < SharedMailboxes.MAX_PER_CONNECTION; i++) {
            assertEquals(201, name(s.connectionId, "box" + i + "@contoso.com").getStatusCode());
        }
        FakeHttpResponse tooMany = name(s.connectionId, "one-more@contoso.com");
        assertEquals(400, tooMany.getStatusCode());
        assertTrue(tooMany.bodyText().contains("DELETE"), tooMany.bodyText());
        assertTrue(sharedStatus(s.connectionId, "one-more@contoso.com").isEmpty(), "the refused naming left nothing behind");
        assertTrue(sharedStatus(withoutFeature.connectionId(), null).isEmpty(), "the refused naming left nothing behind");
        assertEquals(SharedMailboxes.MAX_PER_CONNECTION * 2, sharedStatus(s.connectionId, null).size(), "inbox and calendar of each");
        HARNESS.drainSyncQueue(); // the named mailboxes do not exist at Graph: their runs stop, and show why
        assertTrue(sharedStatus(s.connectionId, "box0@contoso.com").stream().allMatch(h -> h.contains(":failing:")),
                sharedStatus(s.connectionId, "box0@contoso.com").toString());
    }

    @Test
    void whenANamingsEnrollmentFailsThenTheRetriedPutEnrollsItAndTheMailboxIsPolled() {
        Shared s = connectWithSharedMailbox(NationalCloud.GLOBAL, true);
        HARNESS.graph.mail().deliverText(s.mailbox, "waiting to be synced");
        // the schedule's table unavailable: the naming is stored, its enrollment is not, and the web app gets a 5xx
        RefusedCall scheduleDown = RefusedCall.pathsContaining(HARNESS.routing, "syncdue");
        SyncFunctions failing = HARNESS.newInstance(scheduleDown, new ClockSleeper(HARNESS.clock)).context().newFunction(SyncFunctions.class);
        FakeHttpResponse first = (FakeHttpResponse) failing.addSharedMailbox(FakeHttpRequest.of(HttpMethod.PUT, "https://"
                + ConnectorHarness.FUNCTION_HOST + "/api/connections/" + s.connectionId + "/shared-mailboxes/" + s.mailbox)
                .header("X-Owner-Id", "owner-1"), s.connectionId, s.mailbox, new FakeExecutionContext("sharedMailbox"));
        assertTrue(scheduleDown.refused(), "the enrollment's schedule write was refused");
        assertTrue(first.getStatusCode() >= 500, first.getStatusCode() + " " + first.bodyText());
        HARNESS.drainSyncQueue();

        FakeHttpResponse retried = name(s.connectionId, s.mailbox); // the web app retries its PUT
        assertEquals(200, retried.getStatusCode(), retried.bodyText());
        HARNESS.drainSyncQueue();
        HARNESS.clock.advance(SyncCapabilities.POLL_INTERVAL.plusSeconds(1));
        tick();

        assertEquals(List.of("inbox:created:waiting to be synced"), describe(sharedChanges(s)), "the retried PUT enrolled it");
    }

    @Test
    void whenAnActiveConnectionsEnrollmentWasLostThenSigningInAgainEnrollsWhatNeverRan() {
        FakeUser user = HARNESS.entra.addUser(NationalCloud.GLOBAL, UUID.randomUUID().toString(), "lost-" + UUID.randomUUID().toString()
                .substring(0, 8) + "@contoso.com");
        HARNESS.graph.mail().addMailbox(user.userPrincipalName());
        JsonNode started = HARNESS.start(NationalCloud.GLOBAL, "\"mail_read\"");
        String id = started.path("connectionId").asText();
        HARNESS.entra.nextSignIn(user);
        HARNESS.browser().navigate(started.path("loginUrl").asText());
        // the enrollment lost, as when storage failed or the process died after the connection became active
        HARNESS.clockedQueue(SyncFunctions.SYNC_QUEUE).receiveVisible();
        TableClient due = TABLES.getTableClient(HARNESS.tables.syncDue());
        due.listEntities().stream().filter(e -> e.getRowKey().contains(id)).forEach(e -> due.deleteEntity(e.getPartitionKey(), e.getRowKey()));
        HARNESS.graph.mail().deliverText(user.userPrincipalName(), "never synced");
        HARNESS.clock.advance(SyncCapabilities.SAFETY_INTERVAL.plusSeconds(1));
        tick();
        assertTrue(HARNESS.readFeed(id).isEmpty(), "nothing schedules a target whose enrollment was lost");

        // the user signs in again with the same features: no change of status, no news for the web app
        JsonNode again = HARNESS.reconnect(id, "\"mail_read\"");
        HARNESS.entra.nextSignIn(user);
        HARNESS.browser().navigate(again.path("loginUrl").asText());
        HARNESS.drainSyncQueue();

        assertEquals(List.of("inbox:created:never synced"), describe(HARNESS.readFeed(id)));
        assertEquals(200, HARNESS.deleteConnection(id).getStatusCode());
    }

    @Test
    void whenADisconnectsCleanUpFailsThenTheRetriedDeleteRemovesWhatSyncKept() {
        Shared s = connectWithSharedMailbox(NationalCloud.GLOBAL, true);
        HARNESS.graph.mail().deliverText(s.mailbox, "indexed");
        assertEquals(201, name(s.connectionId, s.mailbox).getStatusCode());
        HARNESS.drainSyncQueue();
        TableClient items = TABLES.getTableClient(HARNESS.tables.syncItems());
        String ofConnection = "PartitionKey ge '" + s.connectionId + ".' and PartitionKey lt '" + s.connectionId + "/'";
        assertTrue(rows(items, ofConnection) >= 1, "the shared inbox is indexed");

        // the item index unavailable during the disconnect: the connection is disconnected, its clean-up fails (and is logged)
        RefusedCall indexDown = RefusedCall.pathsContaining(HARNESS.routing, HARNESS.tables.syncItems());
        ConnectionFunctions failing = HARNESS.newInstance(indexDown, new ClockSleeper(HARNESS.clock)).context().newFunction(ConnectionFunctions.class);
        FakeHttpResponse first = (FakeHttpResponse) failing.delete(FakeHttpRequest.of(HttpMethod.DELETE, "https://" + ConnectorHarness.FUNCTION_HOST
                + "/api/connections/" + s.connectionId), s.connectionId, new FakeExecutionContext("deleteConnection"));
        assertEquals(200, first.getStatusCode(), first.bodyText());
        assertTrue(indexDown.refused());
        assertTrue(rows(items, ofConnection) >= 1, "left behind");

        assertEquals(200, HARNESS.deleteConnection(s.connectionId).getStatusCode()); // the web app's retry, or a second disconnect

        assertEquals(0, rows(items, ofConnection), "the retried disconnect finished the clean-up");
        assertEquals(0, rows(TABLES.getTableClient(HARNESS.tables.syncState()), "PartitionKey eq '" + s.connectionId + "' and RowKey ne '_feed'"));
    }

    /**
     * The web app has no reason to repeat a DELETE that answered 200: housekeeping finishes a clean-up that failed, once
     * the disconnect is an hour old, and leaves what a connection still active keeps.
     */
    @Test
    void whenADisconnectsCleanUpFailsThenHousekeepingFinishesItAndLeavesActiveConnectionsAlone() {
        Shared s = connectWithSharedMailbox(NationalCloud.GLOBAL, true);
        Shared active = connectWithSharedMailbox(NationalCloud.GLOBAL, true);
        HARNESS.graph.mail().deliverText(s.mailbox, "indexed");
        assertEquals(201, name(s.connectionId, s.mailbox).getStatusCode());
        assertEquals(201, name(active.connectionId, active.mailbox).getStatusCode());
        HARNESS.drainSyncQueue();
        TableClient items = TABLES.getTableClient(HARNESS.tables.syncItems());
        TableClient states = TABLES.getTableClient(HARNESS.tables.syncState());
        String ofConnection = "PartitionKey ge '" + s.connectionId + ".' and PartitionKey lt '" + s.connectionId + "/'";
        String stateOf = "PartitionKey eq '" + s.connectionId + "' and RowKey ne '_feed'";
        String stateOfActive = "PartitionKey eq '" + active.connectionId + "' and RowKey ne '_feed'";
        int activeRows = rows(states, stateOfActive);
        RefusedCall indexDown = RefusedCall.pathsContaining(HARNESS.routing, HARNESS.tables.syncItems());
        ConnectionFunctions failing = HARNESS.newInstance(indexDown, new ClockSleeper(HARNESS.clock)).context().newFunction(ConnectionFunctions.class);
        FakeHttpResponse deleted = (FakeHttpResponse) failing.delete(FakeHttpRequest.of(HttpMethod.DELETE, "https://" + ConnectorHarness.FUNCTION_HOST
                + "/api/connections/" + s.connectionId), s.connectionId, new FakeExecutionContext("deleteConnection"));
        assertEquals(200, deleted.getStatusCode(), deleted.bodyText());
        assertTrue(rows(items, ofConnection) >= 1 && rows(states, stateOf) >= 1, "left behind");
        Instant before = HARNESS.clock.instant();
        try {
            ContextParts.of(HARNESS.context).housekeeping().run();
            assertTrue(rows(states, stateOf) >= 1, "within the hour the disconnect's own clean-up (or the run it overlapped) may still be at work");

            HARNESS.clock.advance(Duration.ofMinutes(61));
            assertTrue(ContextParts.of(HARNESS.context).housekeeping().run().disconnectsFinished() >= 1);

            assertEquals(0, rows(items, ofConnection), "housekeeping finished the clean-up");
            assertEquals(0, rows(states, stateOf));
            assertEquals(activeRows, rows(states, stateOfActive), "an active connection keeps its sync state");
        } finally {
            HARNESS.clock.set(before);
        }
        assertEquals(200, HARNESS.deleteConnection(active.connectionId).getStatusCode());
    }

    @Test
    void whenADisconnectsCleanUpFailedAndTheUserConnectsAgainThenSyncStartsAfreshWithoutTheOldSharedMailbox() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, FEATURES);
        String upn = c.user().userPrincipalName();
        String mailbox = "sales-" + UUID.randomUUID().toString().substring(0, 8) + "@contoso.com";
        HARNESS.graph.mail().addMailbox(upn);
        HARNESS.graph.mail().addMailbox(mailbox);
        HARNESS.graph.grantMailboxAccess(upn, mailbox, false);
        HARNESS.graph.mail().deliverText(upn, "kept in the inbox");
        HARNESS.graph.mail().deliverText(mailbox, "in the shared inbox");
        assertEquals(201, name(c.connectionId(), mailbox).getStatusCode());
        HARNESS.drainSyncQueue();
        assertEquals(2, HARNESS.readFeed(c.connectionId()).size(), describe(HARNESS.readFeed(c.connectionId())).toString());

        // the disconnect's clean-up fails (the item index unavailable) and the web app, answered 200, never repeats it
        RefusedCall indexDown = RefusedCall.pathsContaining(HARNESS.routing, HARNESS.tables.syncItems());
        ConnectionFunctions failing = HARNESS.newInstance(indexDown, new ClockSleeper(HARNESS.clock)).context().newFunction(ConnectionFunctions.class);
        FakeHttpResponse deleted = (FakeHttpResponse) failing.delete(FakeHttpRequest.of(HttpMethod.DELETE, "https://"
                + ConnectorHarness.FUNCTION_HOST + "/api/connections/" + c.connectionId()), c.connectionId(), new FakeExecutionContext("deleteConnection"));
        assertEquals(200, deleted.getStatusCode(), deleted.bodyText());
        assertTrue(indexDown.refused());

        JsonNode again = HARNESS.reconnect(c.connectionId(), FEATURES);
        HARNESS.entra.nextSignIn(c.user());
        HARNESS.browser().navigate(again.path("loginUrl").asText());
        HARNESS.drainSyncQueue();
        HARNESS.clock.advance(SyncCapabilities.POLL_INTERVAL.plusSeconds(1));
        tick();

        List<JsonNode> feed = HARNESS.readFeed(c.connectionId());
        assertEquals(List.of("inbox:created:kept in the inbox"), describe(feed.subList(2, feed.size())),
                "the first run after connecting again reports what is there as created, and the shared mailbox is no longer named");
        assertEquals(200, HARNESS.deleteConnection(c.connectionId()).getStatusCode());
    }

    @Test
    void whenTheReconnectCannotRemoveWhatAFailedDisconnectLeftThenTheSignInIsNotSavedAndTheNextOneStartsAfresh() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, FEATURES);
        String upn = c.user().userPrincipalName();
        HARNESS.graph.mail().addMailbox(upn);
        HARNESS.graph.mail().deliverText(upn, "kept in the inbox");
        HARNESS.drainSyncQueue();
        assertEquals(List.of("inbox:created:kept in the inbox"), describe(HARNESS.readFeed(c.connectionId())));

        // the disconnect's clean-up fails (the item index unavailable), and so does the reconnect's, on the same outage
        RefusedCall indexDown = RefusedCall.pathsContaining(HARNESS.routing, HARNESS.tables.syncItems());
        ConnectorHarness.Instance failing = HARNESS.newInstance(indexDown, new ClockSleeper(HARNESS.clock));
        FakeHttpResponse deleted = (FakeHttpResponse) failing.context().newFunction(ConnectionFunctions.class).delete(FakeHttpRequest.of(
                HttpMethod.DELETE, "https://" + ConnectorHarness.FUNCTION_HOST + "/api/connections/" + c.connectionId()), c.connectionId(),
                new FakeExecutionContext("deleteConnection"));
        assertEquals(200, deleted.getStatusCode(), deleted.bodyText());
        HARNESS.entra.nextSignIn(c.user());
        var refusedPage = HARNESS.browserOn(failing).navigate(HARNESS.reconnect(c.connectionId(), FEATURES).path("loginUrl").asText());

        assertTrue(refusedPage.body().contains("storage_unavailable") || refusedPage.status() == 503, refusedPage.status() + " " + refusedPage.body());
        assertEquals("disconnected", ConnectorHarness.json(HARNESS.getConnection(c.connectionId()).bodyText()).path("status").asText(),
                "saved active, its runs would resume the old delta link");

        HARNESS.entra.nextSignIn(c.user()); // the user signs in again once storage is back
        HARNESS.browser().navigate(HARNESS.reconnect(c.connectionId(), FEATURES).path("loginUrl").asText());
        HARNESS.drainSyncQueue();

        List<JsonNode> feed = HARNESS.readFeed(c.connectionId());
        assertEquals(List.of("inbox:created:kept in the inbox"), describe(feed.subList(1, feed.size())),
                "the first run after connecting again reports what is there as created");
        assertEquals(200, HARNESS.deleteConnection(c.connectionId()).getStatusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Sales.\u212Aate@contoso.com", "\u0130nfo@contoso.com"})
    void whenAnAddressHoldsALetterThatLowerCasesToAPlainOneThenItIsRefusedAsItWouldBeKeptAsAnotherMailbox(String address) {
        // kept in lower case, U+212A (Kelvin sign) became a plain k: sales.kate@ is another person's mailbox than the one named
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, FEATURES);
        FakeHttpResponse named = name(c.connectionId(), address);

        assertEquals(400, named.getStatusCode(), named.bodyText());
        assertEquals("mailbox", ConnectorHarness.json(named.bodyText()).path("errors").path(0).path("field").asText(), named.bodyText());
        assertTrue(sharedStatus(c.connectionId(), null).isEmpty(), "nothing named");
    }

    @Test
    void whenANotificationArrivesAfterTheDisconnectThenItLeavesNoSyncStateBehind() {
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, "\"mail_read\"");
        HARNESS.graph.mail().addMailbox(c.user().userPrincipalName());
        HARNESS.drainSyncQueue();
        String late = new SyncRequest(c.connectionId(), SyncResource.INBOX, "notification", HARNESS.clock.instant()).toJson();
        assertEquals(200, HARNESS.deleteConnection(c.connectionId()).getStatusCode());

        HARNESS.sync.syncWorker(late, new FakeExecutionContext("syncWorker")); // queued before the disconnect, handled after it
        HARNESS.drainSyncQueue();

        assertEquals(0, rows(TABLES.getTableClient(HARNESS.tables.syncState()), "PartitionKey eq '" + c.connectionId() + "' and RowKey ne '_feed'"),
                "no state row for a disconnected connection");
    }

    @Test
    void whenANonAsciiAddressIsNamedInOtherCaseThenItIsTheSameMailbox() {
        // lower case as before this check came: a mailbox named before keeps its key
        ConnectorHarness.Connected c = HARNESS.connect(NationalCloud.GLOBAL, FEATURES);
        assertEquals(201, name(c.connectionId(), "MÜLLER@contoso.com").getStatusCode());
        FakeHttpResponse again = name(c.connectionId(), "müller@contoso.com");
        assertEquals(200, again.getStatusCode(), again.bodyText());
        assertEquals(2, sharedStatus(c.connectionId(), "müller@contoso.com").size(), "one mailbox: its inbox and calendar");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sal\u200Bes@contoso.com", "\uFEFFsales@contoso.com", "sales@ＣＯＮＴＯＳＯ.com", "sales@contoso.com/../x",
        "sales@contoso.com?x=1", "sales@contoso.com#inbox", "', drop@contoso.com", "sales@@contoso.com", " "})
    void whenTheAddressIsHostileThenItIsRefusedAndNothingIsStored(String address) {
        JsonNode problem = ConnectorHarness.json(name(HOSTILE.connectionId, address).bodyText());

        assertEquals(400, problem.path("status").asInt(), problem.toString());
        assertEquals("mailbox", problem.path("errors").path(0).path("field").asText(), problem.toString());
        assertTrue(sharedStatus(HOSTILE.connectionId, null).isEmpty());
        assertEquals(400, unname(HOSTILE.connectionId, address).getStatusCode());
    }

    @Test
    void whenTheAddressIsTooLongOrTheConnectionUnknownThenTheAnswerIsAProblem() {
        assertEquals(400, name(HOSTILE.connectionId, "a".repeat(250) + "@contoso.com").getStatusCode());
        assertEquals(404, name("con_" + "0".repeat(32), "sales@contoso.com").getStatusCode());
        assertEquals(404, name("con_bad", "sales@contoso.com").getStatusCode());
        assertTrue(sharedStatus(HOSTILE.connectionId, null).isEmpty());
    }

    // ---------------------------------------------------------------- helpers

    private record Shared(String connectionId, String upn, String mailbox) {
    }

    /** A user connected with the shared read features and a shared mailbox that exists at Graph (and that the user may read, or not). */
    private static Shared connectWithSharedMailbox(NationalCloud cloud, boolean access) {
        ConnectorHarness.Connected c = HARNESS.connect(cloud, FEATURES);
        String upn = c.user().userPrincipalName();
        String mailbox = "sales-" + UUID.randomUUID().toString().substring(0, 8) + "@contoso.com";
        HARNESS.graph.mail().addMailbox(upn);
        HARNESS.graph.mail().addMailbox(mailbox);
        if (access) {
            HARNESS.graph.grantMailboxAccess(upn, mailbox, false);
        }
        HARNESS.drainSyncQueue();
        return new Shared(c.connectionId(), upn, mailbox);
    }

    private static FakeHttpResponse name(String connectionId, String mailbox) {
        return send(HttpMethod.PUT, connectionId, mailbox, "owner-1");
    }

    private static FakeHttpResponse unname(String connectionId, String mailbox) {
        return send(HttpMethod.DELETE, connectionId, mailbox, "owner-1");
    }

    private static FakeHttpResponse send(HttpMethod method, String connectionId, String mailbox, String owner) {
        FakeHttpRequest request = FakeHttpRequest.of(method, "https://" + ConnectorHarness.FUNCTION_HOST + "/api/connections/" + connectionId
                + "/shared-mailboxes/" + URLEncoder.encode(mailbox, StandardCharsets.UTF_8).replace("+", "%20")).header("X-Owner-Id", owner);
        FakeExecutionContext context = new FakeExecutionContext("sharedMailbox");
        return (FakeHttpResponse) (method == HttpMethod.PUT ? HARNESS.sync.addSharedMailbox(request, connectionId, mailbox, context)
                : HARNESS.sync.removeSharedMailbox(request, connectionId, mailbox, context));
    }

    private static void invite(String mailbox, String subject) {
        ObjectNode event = Json.MAPPER.createObjectNode().put("subject", subject);
        String start = HARNESS.clock.instant().plus(Duration.ofDays(2)).toString().substring(0, 19);
        String end = HARNESS.clock.instant().plus(Duration.ofDays(2)).plus(Duration.ofHours(1)).toString().substring(0, 19);
        event.putObject("start").put("dateTime", start).put("timeZone", "UTC");
        event.putObject("end").put("dateTime", end).put("timeZone", "UTC");
        HARNESS.graph.addInvitation(mailbox, event);
    }

    private static void tick() {
        HARNESS.sync.syncTimer("{\"IsPastDue\":false}", new FakeExecutionContext("syncTimer"));
        HARNESS.drainSyncQueue();
    }

    private static List<JsonNode> allChanges(Shared s) {
        return HARNESS.readFeed(s.connectionId);
    }

    private static List<JsonNode> sharedChanges(Shared s) {
        return allChanges(s).stream().filter(c -> c.path("mailbox").asText().equals(s.mailbox)).toList();
    }

    /** "resource:type:subject" of each change; deletions carry no subject. */
    private static List<String> describe(List<JsonNode> changes) {
        return changes.stream().map(c -> c.path("resource").asText() + ":" + c.path("type").asText() + ":"
                + c.path("summary").path("subject").asText("")).toList();
    }

    private static List<String> health(JsonNode sync) {
        return StreamSupport.stream(sync.spliterator(), false).map(h -> h.path("resource").asText() + ":"
                + (h.path("state").asText().equals("not_supported_in_cloud") ? "not_supported_in_cloud" : h.path("notifications").asText())).toList();
    }

    /** "resource:state:lastError" of the shared mailbox's entries in the connection's status. */
    private static List<String> sharedStatus(Shared s) {
        return sharedStatus(s.connectionId, s.mailbox);
    }

    private static List<String> sharedStatus(String connectionId, String mailbox) {
        JsonNode status = ConnectorHarness.json(HARNESS.getConnection(connectionId).bodyText());
        return StreamSupport.stream(status.path("sync").spliterator(), false)
                .filter(h -> h.has("mailbox") && (mailbox == null || h.path("mailbox").asText().equals(mailbox)))
                .map(h -> h.path("resource").asText() + ":" + h.path("state").asText() + ":" + h.path("lastError").asText("")).toList();
    }

    private static void assertNoDuplicates(Shared s) {
        List<JsonNode> all = allChanges(s);
        assertEquals(all.size(), all.stream().map(c -> c.path("id").asText()).distinct().count(), "no change twice: " + describe(all));
    }

    private static int rows(TableClient table, String filter) {
        return (int) table.listEntities(new ListEntitiesOptions().setFilter(filter), null, null).stream().count();
    }

    private static int sharedDeltaCalls(Shared s) {
        return HARNESS.graph.requests("GET", ".*/users/" + s.mailbox + "/.*delta.*").size();
    }
}
