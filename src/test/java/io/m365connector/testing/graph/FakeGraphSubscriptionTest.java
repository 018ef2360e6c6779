package io.m365connector.testing.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.graph.models.Subscription;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.entra.FakeUser;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Subscriptions on the fake Graph: creation with the validation handshake, limits, renew, reauthorize, delete, list. */
class FakeGraphSubscriptionTest {
    static final String NOTIFY = "https://connector.example.com/api/notifications";
    static final String LIFECYCLE = "https://connector.example.com/api/lifecycle";
    static final String INBOX = "me/mailFolders('inbox')/messages";
    private static final String ADELE = "adele.vance@contoso.us";

    private final SyncBench bench = new SyncBench();
    private final FakeGraph graph = bench.graph;
    private final RecordingEndpoint endpoint = new RecordingEndpoint(bench.clock);
    private final FakeUser adele = bench.user(NationalCloud.USGOV, ADELE);
    private final GraphServiceClient sdk = bench.sdk(adele, SyncBench.MAIL_READ);

    FakeGraphSubscriptionTest() {
        graph.subscriptions().setEndpoint(endpoint);
    }

    @AfterEach
    void tearDown() {
        bench.close();
    }

    @Test
    void whenASubscriptionIsCreatedThenBothUrlsAreValidatedAndAnExpiryOverSevenDaysIsRefused() {
        ODataError tooLong = assertThrows(ODataError.class, () -> sdk.subscriptions().post(subscription(INBOX, "created", s ->
                s.setExpirationDateTime(at(Duration.ofMinutes(10_081))))));
        assertEquals(400, tooLong.getResponseStatusCode());
        assertEquals("Subscription expiration can only be 10080 minutes in the future.", tooLong.getError().getMessage());
        endpoint.clear();

        Subscription created = sdk.subscriptions().post(subscription(INBOX, "created,updated,deleted", s -> {
            s.setNotificationUrl(NOTIFY + "?cloud=usgov");
            s.setLifecycleNotificationUrl(LIFECYCLE);
            s.setExpirationDateTime(at(Duration.ofMinutes(10_080)));
            s.setClientState("secret-state");
        }));

        List<RecordingEndpoint.Received> validations = endpoint.received();
        assertEquals(2, validations.size());
        RecordingEndpoint.Received first = validations.get(0);
        assertEquals("text/plain; charset=utf-8", first.contentType());
        assertEquals("", first.body());
        String token = first.query().get("validationToken");
        assertTrue(token.startsWith("Validation: Testing client application reachability"), token);
        assertTrue(first.url().startsWith(NOTIFY + "?cloud=usgov&validationToken=Validation%3A%20Testing"), first.url());
        assertEquals("usgov", first.query().get("cloud"), "the subscriber's own query parameters are kept");
        assertTrue(validations.get(1).url().startsWith(LIFECYCLE + "?validationToken="));
        assertEquals(bench.clock.instant().plus(Duration.ofMinutes(10_080)), created.getExpirationDateTime().toInstant());
        assertEquals(bench.tokens.clientId(), created.getApplicationId());
        assertEquals(adele.objectId(), created.getCreatorId());
        assertEquals("secret-state", created.getClientState());
        assertEquals(INBOX, created.getResource());
        assertEquals(LIFECYCLE, created.getLifecycleNotificationUrl());
        assertEquals("v1_2", created.getLatestSupportedTlsVersion());
        assertEquals(1, graph.subscriptions().subscriptions(ADELE).size());
        assertTrue(graph.subscriptions().deliveries().stream().allMatch(d -> d.kind().equals("validation") && d.accepted()));
    }

    @Test
    void whenTheExpiryIsUnder45MinutesThenItIsRaisedTo45() {
        Subscription created = sdk.subscriptions().post(subscription(INBOX, "created", s -> s.setExpirationDateTime(at(Duration.ofMinutes(5)))));

        assertEquals(bench.clock.instant().plus(Duration.ofMinutes(45)), created.getExpirationDateTime().toInstant());
    }

    @Test
    void whenTheEndpointAnswersTheValidationWronglyThenCreationFailsWith400AndNothingIsCreated() {
        endpoint.answerNext(r -> NotificationEndpoint.Response.text(SyncValues.urlEncode(r.query().get("validationToken"))));
        ODataError encoded = assertThrows(ODataError.class, () -> sdk.subscriptions().post(subscription(INBOX, "created", s -> { })));
        endpoint.answerNextWith(202);
        ODataError accepted = assertThrows(ODataError.class, () -> sdk.subscriptions().post(subscription(INBOX, "created", s -> { })));
        endpoint.failNext();
        ODataError down = assertThrows(ODataError.class, () -> sdk.subscriptions().post(subscription(INBOX, "created", s -> { })));
        endpoint.slowNext(Duration.ofSeconds(11));
        ODataError slow = assertThrows(ODataError.class, () -> sdk.subscriptions().post(subscription(INBOX, "created", s -> { })));
        endpoint.answerNext(r -> NotificationEndpoint.Response.text(r.query().get("validationToken")));
        endpoint.answerNextWith(500);
        ODataError lifecycle = assertThrows(ODataError.class, () -> sdk.subscriptions().post(subscription(INBOX, "created",
                s -> s.setLifecycleNotificationUrl(LIFECYCLE))));

        for (ODataError e : List.of(encoded, accepted, down, slow, lifecycle)) {
            assertEquals(400, e.getResponseStatusCode());
            assertEquals("ValidationError", e.getError().getCode());
            assertTrue(e.getError().getMessage().startsWith("Subscription validation request failed."), e.getError().getMessage());
        }
        assertTrue(encoded.getError().getMessage().contains("must exactly match validationToken"), encoded.getError().getMessage());
        assertEquals(List.of(), graph.subscriptions().subscriptions(ADELE));
        assertEquals(6, graph.subscriptions().deliveries().size());
        assertEquals(1, graph.subscriptions().deliveries().stream().filter(d -> d.accepted()).count(), "only the notificationUrl of the last");
    }

    @Test
    void whenDuplicatesAreAllowedThenTheSameChangeTypeAndResourceAskedAgainMakeAnotherWithItsOwnId() {
        graph.subscriptions().setRefuseDuplicates(false); // the page's older sentence
        Subscription first = sdk.subscriptions().post(subscription(INBOX, "created,updated", s -> { }));
        Subscription second = sdk.subscriptions().post(subscription(INBOX, "created,updated", s -> { }));

        assertNotEquals(first.getId(), second.getId());
        assertEquals(2, graph.subscriptions().subscriptions(ADELE).size());
    }

    @Test
    void whenDuplicatesAreRefusedThenTheSameChangeTypeAndResourceAnswer409ButAnotherAppMayHaveItToo() {
        // the default: Create subscription's "Duplicate subscription behavior"
        Subscription first = sdk.subscriptions().post(subscription(INBOX, "created,updated", s -> { }));

        ODataError again = assertThrows(ODataError.class, () -> sdk.subscriptions().post(subscription("/me/mailFolders/inbox/messages",
                "updated,created", s -> { })));
        GraphTokens otherApp = new GraphTokens(bench.entra, bench.http);
        GraphServiceClient other = bench.sdk(NationalCloud.USGOV, otherApp.accessToken(adele, SyncBench.MAIL_READ));
        other.subscriptions().post(subscription(INBOX, "created,updated", s -> { }));
        sdk.subscriptions().post(subscription(INBOX, "deleted", s -> { }));

        assertEquals(409, again.getResponseStatusCode());
        assertEquals("Subscription Id " + first.getId() + " already exists for the requested combination", again.getError().getMessage());
        assertEquals(3, graph.subscriptions().subscriptions(ADELE).size());
        assertEquals(2, sdk.subscriptions().get().getValue().size(), "an app lists its own subscriptions only");
    }

    @Test
    void whenAMailboxHasTheMostSubscriptionsForAllAppsThenTheNextIs403() {
        graph.subscriptions().setLimitPerMailbox(2);
        sdk.subscriptions().post(subscription(INBOX, "created", s -> { }));
        sdk.subscriptions().post(subscription("me/messages", "created", s -> { }));

        ODataError full = assertThrows(ODataError.class, () -> sdk.subscriptions().post(subscription("me/mailFolders('archive')/messages",
                "created", s -> { })));

        assertEquals(403, full.getResponseStatusCode());
        assertTrue(full.getError().getMessage().contains("subscriptions per mailbox"), full.getError().getMessage());
    }

    @Test
    void whenTheRequestIsInvalidThenGraphRefusesIt() {
        ODataError http = assertThrows(ODataError.class, () -> sdk.subscriptions().post(subscription(INBOX, "created",
                s -> s.setNotificationUrl("http://connector.example.com/api/notifications"))));
        ODataError state = assertThrows(ODataError.class, () -> sdk.subscriptions().post(subscription(INBOX, "created",
                s -> s.setClientState("x".repeat(129)))));
        ODataError changeType = assertThrows(ODataError.class, () -> sdk.subscriptions().post(subscription(INBOX, "moved", s -> { })));
        ODataError contacts = assertThrows(ODataError.class, () -> sdk.subscriptions().post(subscription("me/contacts", "created", s -> { })));
        ODataError otherMailbox = assertThrows(ODataError.class, () -> sdk.subscriptions().post(subscription("users/megan@contoso.us/messages",
                "created", s -> { })));
        ODataError noPermission = assertThrows(ODataError.class, () -> sdk.subscriptions().post(subscription("me/events", "created", s -> { })));

        for (ODataError e : List.of(http, state, changeType, contacts)) {
            assertEquals(400, e.getResponseStatusCode(), e.getError().getMessage());
        }
        assertEquals(403, otherMailbox.getResponseStatusCode(), "delegated: the signed-in user's mailbox only");
        assertEquals(403, noPermission.getResponseStatusCode(), "events need Calendars.Read");
        assertEquals(List.of(), endpoint.received(), "nothing was validated");
        sdk.subscriptions().post(subscription("users/" + adele.objectId() + "/messages", "created", s -> s.setClientState("x".repeat(128))));
    }

    @Test
    void whenASubscriptionIsRenewedThenItsExpiryMovesAndOnceExpiredRenewAnswers404() {
        Subscription created = sdk.subscriptions().post(subscription(INBOX, "created", s -> s.setExpirationDateTime(at(Duration.ofHours(2)))));
        Subscription renewal = new Subscription();
        renewal.setExpirationDateTime(at(Duration.ofDays(3)));

        Subscription renewed = sdk.subscriptions().bySubscriptionId(created.getId()).patch(renewal);
        bench.clock.advance(Duration.ofDays(3).plusSeconds(1));
        Subscription late = new Subscription(); // a model posted twice sends only what changed since: nothing
        late.setExpirationDateTime(at(Duration.ofDays(3)));
        ODataError gone = assertThrows(ODataError.class, () -> sdk.subscriptions().bySubscriptionId(created.getId()).patch(late));
        ODataError reauthorize = assertThrows(ODataError.class, () -> sdk.subscriptions().bySubscriptionId(created.getId()).reauthorize().post());

        assertEquals(bench.clock.instant().minusSeconds(1), renewed.getExpirationDateTime().toInstant());
        assertEquals(404, gone.getResponseStatusCode());
        assertEquals(404, reauthorize.getResponseStatusCode());
        assertEquals(List.of(), sdk.subscriptions().get().getValue());
    }

    @Test
    void whenReauthorizedOrDeletedThenGraphAnswers204AndADeletedOneIsGone() {
        Subscription created = sdk.subscriptions().post(subscription(INBOX, "created", s -> { }));

        sdk.subscriptions().bySubscriptionId(created.getId()).reauthorize().post();
        sdk.subscriptions().bySubscriptionId(created.getId()).delete();

        assertEquals(404, assertThrows(ODataError.class, () -> sdk.subscriptions().bySubscriptionId(created.getId()).get())
                .getResponseStatusCode());
        assertEquals(404, assertThrows(ODataError.class, () -> sdk.subscriptions().bySubscriptionId(created.getId()).delete())
                .getResponseStatusCode());
        assertTrue(graph.requests("POST", "/subscriptions/[^/]+/reauthorize").size() == 1);
    }

    @Test
    void whenPatchedThenANewNotificationUrlIsValidatedAndALifecycleUrlCannotBeAdded() {
        Subscription created = sdk.subscriptions().post(subscription(INBOX, "created", s -> { }));
        Subscription move = new Subscription();
        move.setNotificationUrl(NOTIFY + "/v2");
        Subscription addLifecycle = new Subscription();
        addLifecycle.setLifecycleNotificationUrl(LIFECYCLE);

        Subscription moved = sdk.subscriptions().bySubscriptionId(created.getId()).patch(move);
        ODataError refused = assertThrows(ODataError.class, () -> sdk.subscriptions().bySubscriptionId(created.getId()).patch(addLifecycle));

        assertEquals(NOTIFY + "/v2", moved.getNotificationUrl());
        assertTrue(endpoint.received().get(1).url().startsWith(NOTIFY + "/v2?validationToken="));
        assertEquals(400, refused.getResponseStatusCode());
    }

    @Test
    void whenLifecycleNotificationsAreOffInACloudThenOnlyTheNotificationUrlIsValidated() {
        graph.setSyncSupport(NationalCloud.USGOV, SyncCloudSupport.ALL.withLifecycleNotifications(false));

        Subscription created = sdk.subscriptions().post(subscription(INBOX, "created", s -> s.setLifecycleNotificationUrl(LIFECYCLE)));

        assertEquals(1, endpoint.received().size());
        assertFalse(graph.subscriptions().sendLifecycle(created.getId(), "reauthorizationRequired"));
    }

    // ------------------------------------------------------------------ helpers

    private OffsetDateTime at(Duration fromNow) {
        return OffsetDateTime.ofInstant(bench.clock.instant().plus(fromNow), ZoneOffset.UTC);
    }

    /** A subscription request expiring in a day, notifying {@link #NOTIFY}; {@code edit} changes it. */
    private Subscription subscription(String resource, String changeType, Consumer<Subscription> edit) {
        return subscription(bench.clock.instant(), resource, changeType, edit);
    }

    static Subscription subscription(Instant now, String resource, String changeType, Consumer<Subscription> edit) {
        Subscription s = new Subscription();
        s.setChangeType(changeType);
        s.setResource(resource);
        s.setNotificationUrl(NOTIFY);
        s.setExpirationDateTime(OffsetDateTime.ofInstant(now.plus(Duration.ofDays(1)), ZoneOffset.UTC));
        s.setClientState("client-state");
        edit.accept(s);
        return s;
    }
}
