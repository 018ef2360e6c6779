package io.m365connector.testing.graph;

import static io.m365connector.testing.graph.FakeGraphMailReadTest.outgoing;
import static io.m365connector.testing.graph.FakeGraphMailReadTest.received;
import static io.m365connector.testing.graph.FakeGraphSubscriptionTest.INBOX;
import static io.m365connector.testing.graph.FakeGraphSubscriptionTest.LIFECYCLE;
import static io.m365connector.testing.graph.FakeGraphSubscriptionTest.NOTIFY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.graph.models.DateTimeTimeZone;
import com.microsoft.graph.models.Event;
import com.microsoft.graph.models.Message;
import com.microsoft.graph.models.Subscription;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.graph.users.item.events.item.cancel.CancelPostRequestBody;
import com.sun.net.httpserver.HttpServer;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.entra.FakeUser;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Change and lifecycle notifications from the fake Graph: shape, ids, delivery rules on the clock, and the test controls. */
class FakeGraphNotificationTest {
    private static final String ADELE = "adele.vance@contoso.us";
    private static final Set<String> SCOPES = Set.of("Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite");

    private final SyncBench bench = new SyncBench();
    private final FakeGraph graph = bench.graph;
    private final FakeSubscriptions subscriptions = graph.subscriptions();
    private final FakeMailStore mail = graph.mail();
    private final RecordingEndpoint endpoint = new RecordingEndpoint(bench.clock);
    private final FakeUser adele = bench.user(NationalCloud.USGOV, ADELE);
    private final GraphServiceClient sdk = bench.sdk(adele, SCOPES);

    FakeGraphNotificationTest() {
        subscriptions.setEndpoint(endpoint);
    }

    @AfterEach
    void tearDown() {
        bench.close();
    }

    @Test
    void whenAMessageArrivesIsReadAndMovesThenTheInboxSubscriptionIsNotifiedInGraphsShape() {
        Subscription sub = subscribe(INBOX, "created,updated,deleted", s -> { });

        String id = mail.deliver(ADELE, received("Hello", "dana@fabrikam.example", "text", "x"));
        mail.markRead(ADELE, id, true);
        mail.move(ADELE, id, "archive");
        mail.deliver(ADELE, received("Elsewhere", "dana@fabrikam.example", "text", "x"));
        mail.move(ADELE, mail.messages(ADELE, "inbox").get(0).path("id").asText(), "archive");

        List<JsonNode> items = notified(NOTIFY);
        assertEquals(List.of("created", "updated", "deleted", "created", "deleted"), items.stream().map(n -> n.path("changeType").asText()).toList());
        JsonNode created = items.get(0);
        assertEquals(sub.getId(), created.path("subscriptionId").asText());
        assertEquals("client-state", created.path("clientState").asText());
        assertEquals(SyncBench.TENANT, created.path("tenantId").asText());
        assertEquals(sub.getExpirationDateTime().toInstant().toString(),
                java.time.Instant.parse(created.path("subscriptionExpirationDateTime").asText()).toString());
        assertEquals("Users/" + adele.objectId() + "/Messages/" + id, created.path("resource").asText());
        JsonNode data = created.path("resourceData");
        assertEquals("#Microsoft.Graph.Message", data.path("@odata.type").asText());
        assertEquals(created.path("resource").asText(), data.path("@odata.id").asText());
        assertEquals(id, data.path("id").asText());
        assertTrue(data.path("@odata.etag").asText().startsWith("W/\""), data.path("@odata.etag").asText());
        assertEquals(id, items.get(2).path("resourceData").path("id").asText(), "moved out: deleted under the id it had");
        assertEquals("application/json; charset=utf-8", endpoint.notifications(NOTIFY).get(0).contentType());
    }

    @Test
    void whenASubscriptionAsksForImmutableIdsThenAMoveIsOneUpdateUnderTheSameId() {
        subscribe("me/messages", "created,updated,deleted", s -> s.setNotificationUrl(NOTIFY + "/default"));
        GraphServiceClient otherApp = bench.sdk(NationalCloud.USGOV, new GraphTokens(bench.entra, bench.http).accessToken(adele, SCOPES));
        otherApp.subscriptions().post(FakeGraphSubscriptionTest.subscription(bench.clock.instant(), "me/messages", "created,updated,deleted",
                s -> s.setNotificationUrl(NOTIFY + "/immutable")), rc -> rc.headers.add("Prefer", "IdType=\"ImmutableId\""));

        String id = mail.deliver(ADELE, received("Hello", "dana@fabrikam.example", "text", "x"));
        String moved = mail.move(ADELE, id, "archive");

        String immutable = mail.immutableId(ADELE, moved);
        assertEquals(List.of("created " + id, "deleted " + id, "created " + moved), changes(NOTIFY + "/default"));
        assertEquals(List.of("created " + immutable, "updated " + immutable), changes(NOTIFY + "/immutable"));
    }

    @Test
    void whenDraftsAreSavedAndSentThenAllMessagesSubscriptionsHearOfIt() {
        subscribe("me/messages", "created,updated,deleted", s -> { });

        Message draft = sdk.me().messages().post(outgoing("Report", "someone@fabrikam.example"));
        Message change = new Message();
        change.setSubject("Report, final");
        sdk.me().messages().byMessageId(draft.getId()).patch(change);
        sdk.me().messages().byMessageId(draft.getId()).send().post();

        String sentId = mail.messages(ADELE, "sentitems").get(0).path("id").asText();
        assertEquals(List.of("created " + draft.getId(), "updated " + draft.getId(), "deleted " + draft.getId(), "created " + sentId),
                changes(NOTIFY));
    }

    @Test
    void whenEventsAreCreatedChangedAndCancelledThenTheEventsSubscriptionIsNotified() {
        subscribe("me/events", "created,updated,deleted", s -> { });

        Event created = sdk.me().events().post(event("Review"));
        Event change = new Event();
        change.setSubject("Review, moved");
        sdk.me().events().byEventId(created.getId()).patch(change);
        sdk.me().events().byEventId(created.getId()).cancel().post(new CancelPostRequestBody());

        assertEquals(List.of("created " + created.getId(), "updated " + created.getId(), "deleted " + created.getId()), changes(NOTIFY));
        JsonNode first = notified(NOTIFY).get(0);
        assertEquals("#Microsoft.Graph.Event", first.path("resourceData").path("@odata.type").asText());
        assertEquals("Users/" + adele.objectId() + "/Events/" + created.getId(), first.path("resource").asText());
    }

    @Test
    void whenTheEndpointFailsOrIsSlowThenTheNotificationIsRetriedOnTheClockWithBackoff() {
        subscribe(INBOX, "created", s -> { });
        endpoint.slowNext(Duration.ofSeconds(5));
        endpoint.answerNextWith(500);
        endpoint.slowNext(Duration.ofSeconds(9));

        mail.deliver(ADELE, received("Hello", "dana@fabrikam.example", "text", "x"));
        int notDueYet = subscriptions.deliverDue();
        bench.clock.advance(Duration.ofMinutes(1));
        int firstRetry = subscriptions.deliverDue();
        bench.clock.advance(Duration.ofMinutes(1));
        int tooEarly = subscriptions.deliverDue();
        bench.clock.advance(Duration.ofMinutes(1));
        int secondRetry = subscriptions.deliverDue();

        assertEquals(List.of(0, 1, 0, 1), List.of(notDueYet, firstRetry, tooEarly, secondRetry), "retried after 1 minute, then after 2 more");
        List<NotificationDelivery> changes = subscriptions.deliveries().stream().filter(d -> d.kind().equals("change")).toList();
        assertEquals(List.of(202, 500, 202), changes.stream().map(NotificationDelivery::status).toList());
        assertEquals(List.of(false, false, true), changes.stream().map(NotificationDelivery::accepted).toList(),
                "a first answer after 5 s is too late (3 s); a retry has 10 s");
        assertEquals(Duration.ofSeconds(9), changes.get(2).elapsed());
        assertEquals(0, subscriptions.pendingNotifications());
    }

    @Test
    void whenDeliveryFailsForFourHoursThenTheNotificationIsDroppedAndMissedGoesToTheLifecycleUrl() {
        Subscription sub = subscribe(INBOX, "created", s -> s.setLifecycleNotificationUrl(LIFECYCLE));
        subscribe("me/messages", "created", s -> s.setNotificationUrl(NOTIFY + "/no-lifecycle"));
        endpoint.refuse(NOTIFY);

        mail.deliver(ADELE, received("Lost", "dana@fabrikam.example", "text", "x"));
        for (int minute = 0; minute < 239; minute++) {
            bench.clock.advance(Duration.ofMinutes(1));
            subscriptions.deliverDue();
        }
        int attemptsInFourHours = endpoint.notifications(NOTIFY).size();
        List<JsonNode> beforeDrop = lifecycleEvents();
        bench.clock.advance(Duration.ofMinutes(1));
        subscriptions.deliverDue();

        assertEquals(2 * 8, attemptsInFourHours, "each: at 0, 1, 3, 7, 15, 31, 63 and 127 minutes");
        assertEquals(List.of(), beforeDrop);
        List<JsonNode> missed = lifecycleEvents();
        assertEquals(1, missed.size(), "only the subscription with a lifecycle URL hears of it");
        assertEquals("missed", missed.get(0).path("lifecycleEvent").asText());
        assertEquals(sub.getId(), missed.get(0).path("subscriptionId").asText());
        assertEquals("client-state", missed.get(0).path("clientState").asText());
        assertEquals(0, subscriptions.pendingNotifications(), "dropped for good");
    }

    @Test
    void whenLifecycleEventsAreSentThenTheLifecycleUrlGetsThemAndSubscriptionRemovedRemovesIt() {
        Subscription sub = subscribe(INBOX, "created", s -> s.setLifecycleNotificationUrl(LIFECYCLE));

        assertTrue(subscriptions.sendLifecycle(sub.getId(), "reauthorizationRequired"));
        sdk.subscriptions().bySubscriptionId(sub.getId()).reauthorize().post();
        assertTrue(subscriptions.sendLifecycle(sub.getId(), "subscriptionRemoved"));
        mail.deliver(ADELE, received("Unheard", "dana@fabrikam.example", "text", "x"));

        assertEquals(List.of("reauthorizationRequired", "subscriptionRemoved"),
                lifecycleEvents().stream().map(n -> n.path("lifecycleEvent").asText()).toList());
        assertEquals(404, assertThrows(ODataError.class, () -> sdk.subscriptions().bySubscriptionId(sub.getId()).get()).getResponseStatusCode());
        assertEquals(List.of(), notified(NOTIFY));
    }

    @Test
    void whenThePasswordIsResetThenEveryDelegatedSubscriptionIsRemovedWithSubscriptionRemoved() {
        subscribe(INBOX, "created", s -> s.setLifecycleNotificationUrl(LIFECYCLE));
        subscribe("me/events", "created", s -> s.setLifecycleNotificationUrl(LIFECYCLE));
        subscribe("me/messages", "created", s -> { });

        int removed = subscriptions.passwordReset(ADELE);

        assertEquals(3, removed);
        assertEquals(List.of("subscriptionRemoved", "subscriptionRemoved"),
                lifecycleEvents().stream().map(n -> n.path("lifecycleEvent").asText()).toList(), "only those with a lifecycle URL are told");
        assertEquals(List.of(), subscriptions.subscriptions(ADELE));
    }

    @Test
    void whenASubscriptionIsLostSilentlyOrExpiresThenNoNotificationArrivesAndRenewAnswers404() {
        Subscription lost = subscribe(INBOX, "created", s -> s.setLifecycleNotificationUrl(LIFECYCLE));
        Subscription expiring = subscribe("me/messages", "created", s -> s.setNotificationUrl(NOTIFY + "/expiring"));

        assertTrue(subscriptions.deleteSubscriptionSilently(lost.getId()));
        bench.clock.advance(Duration.ofDays(1));
        mail.deliver(ADELE, received("Unheard", "dana@fabrikam.example", "text", "x"));
        Subscription renewal = new Subscription();
        renewal.setExpirationDateTime(java.time.OffsetDateTime.now().plusDays(1));

        assertEquals(List.of(), notified(NOTIFY));
        assertEquals(List.of(), lifecycleEvents());
        assertEquals(404, assertThrows(ODataError.class, () -> sdk.subscriptions().bySubscriptionId(lost.getId()).patch(renewal))
                .getResponseStatusCode());
        assertEquals(404, assertThrows(ODataError.class, () -> sdk.subscriptions().bySubscriptionId(expiring.getId()).get())
                .getResponseStatusCode());
    }

    @Test
    void whenNotificationsAreDuplicatedHeldAndReleasedInReverseThenTheyArriveTwiceLateAndOutOfOrder() {
        subscribe(INBOX, "created", s -> { });

        subscriptions.duplicateNext();
        String first = mail.deliver(ADELE, received("One", "dana@fabrikam.example", "text", "x"));
        subscriptions.holdNotifications();
        String second = mail.deliver(ADELE, received("Two", "dana@fabrikam.example", "text", "x"));
        String third = mail.deliver(ADELE, received("Three", "dana@fabrikam.example", "text", "x"));
        List<String> whileHeld = ids(NOTIFY);
        bench.clock.advance(Duration.ofMinutes(30));
        subscriptions.releaseInReverse();

        assertEquals(List.of(first, first), whileHeld);
        assertEquals(List.of(first, first, third, second), ids(NOTIFY));
    }

    @Test
    void whenTheReceiverCallsGraphWhileANotificationIsDeliveredThenItIsAnsweredAndItsOwnChangeIsNotifiedAfter() {
        subscribe("me/messages", "created", s -> { });
        List<String> seen = new CopyOnWriteArrayList<>();
        endpoint.answerNext(r -> {
            String id = r.first().path("resourceData").path("id").asText();
            seen.add(sdk.me().messages().byMessageId(id).get().getSubject());
            sdk.me().messages().post(outgoing("Reply draft", "dana@fabrikam.example"));
            return NotificationEndpoint.Response.status(202);
        });

        mail.deliver(ADELE, received("Inline", "dana@fabrikam.example", "text", "x"));

        assertEquals(List.of("Inline"), seen, "the fake answered the receiver while delivering to it");
        assertEquals(2, notified(NOTIFY).size(), "the draft the receiver made is notified once the first delivery is done");
    }

    @Test
    void whenAChinaUserSubscribesThenNotificationsFlowThereToo() {
        FakeUser li = bench.user(NationalCloud.CHINA, "li.wei@contoso.partner.onmschina.cn");
        GraphServiceClient china = bench.sdk(li, SyncBench.MAIL_READ);
        Subscription sub = china.subscriptions().post(FakeGraphSubscriptionTest.subscription(bench.clock.instant(), INBOX, "created",
                s -> s.setLifecycleNotificationUrl(LIFECYCLE)));

        mail.deliver(li.userPrincipalName(), received("你好", "wang@contoso.partner.onmschina.cn", "text", "x"));

        assertEquals(sub.getId(), notified(NOTIFY).get(0).path("subscriptionId").asText());
        assertEquals(List.of(), sdk.subscriptions().get().getValue(), "another user (and cloud host) does not see it");
        assertTrue(graph.requests("POST", "/subscriptions").get(0).host().equals("microsoftgraph.chinacloudapi.cn"));
    }

    @Test
    void whenAutoDeliveryIsOffThenNotificationsWaitForDeliverDue() {
        subscribe(INBOX, "created", s -> { });
        subscriptions.setAutoDeliver(false);

        mail.deliver(ADELE, received("Later", "dana@fabrikam.example", "text", "x"));
        List<JsonNode> before = notified(NOTIFY);
        int posts = subscriptions.deliverDue();

        assertEquals(List.of(), before);
        assertEquals(1, posts);
        assertEquals(1, notified(NOTIFY).size());
    }

    @Test
    void whenTheEndpointIsALocalHttpServerThenValidationAndNotificationsGoOverHttp() throws IOException {
        List<String> bodies = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/notifications", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            byte[] answer = new byte[0];
            int status = 202;
            if (query != null && query.startsWith("validationToken=")) {
                answer = URLDecoder.decode(query.substring("validationToken=".length()), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
                status = 200;
            } else {
                bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        try {
            String local = "http://127.0.0.1:" + server.getAddress().getPort();
            subscriptions.setEndpoint(NotificationEndpoint.overHttp(new okhttp3.OkHttpClient(), url -> url.replace("https://connector.example.com", local)));
            subscribe(INBOX, "created", s -> { });

            String id = mail.deliver(ADELE, received("Over HTTP", "dana@fabrikam.example", "text", "x"));

            assertEquals(1, bodies.size());
            assertEquals(id, GraphJson.parse(bodies.get(0)).at("/value/0/resourceData/id").asText());
        } finally {
            server.stop(0);
        }
    }

    // ------------------------------------------------------------------ helpers

    private Subscription subscribe(String resource, String changeType, Consumer<Subscription> edit) {
        return sdk.subscriptions().post(FakeGraphSubscriptionTest.subscription(bench.clock.instant(), resource, changeType, edit));
    }

    /** The notification items POSTed to URLs starting with {@code url}, in order. */
    private List<JsonNode> notified(String url) {
        return endpoint.notifications(url).stream().filter(r -> !r.url().startsWith(LIFECYCLE)).map(RecordingEndpoint.Received::first)
                .toList();
    }

    private List<String> changes(String url) {
        return notified(url).stream().map(n -> n.path("changeType").asText() + " " + n.path("resourceData").path("id").asText()).toList();
    }

    private List<String> ids(String url) {
        return notified(url).stream().map(n -> n.path("resourceData").path("id").asText()).toList();
    }

    private List<JsonNode> lifecycleEvents() {
        return endpoint.notifications(LIFECYCLE).stream().map(RecordingEndpoint.Received::first).toList();
    }

    private static Event event(String subject) {
        Event e = new Event();
        e.setSubject(subject);
        DateTimeTimeZone start = new DateTimeTimeZone();
        start.setDateTime("2030-05-01T09:00:00");
        start.setTimeZone("UTC");
        DateTimeTimeZone end = new DateTimeTimeZone();
        end.setDateTime("2030-05-01T10:00:00");
        end.setTimeZone("UTC");
        e.setStart(start);
        e.setEnd(end);
        return e;
    }
}
