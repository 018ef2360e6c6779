package io.m365connector.testing.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.graph.core.requests.BaseGraphRequestAdapter;
import com.microsoft.graph.core.requests.GraphClientFactory;
import com.microsoft.graph.models.AttachmentItem;
import com.microsoft.graph.models.AttachmentType;
import com.microsoft.graph.models.BodyType;
import com.microsoft.graph.models.DateTimeTimeZone;
import com.microsoft.graph.models.EmailAddress;
import com.microsoft.graph.models.Event;
import com.microsoft.graph.models.FileAttachment;
import com.microsoft.graph.models.ItemBody;
import com.microsoft.graph.models.Message;
import com.microsoft.graph.models.OnlineMeetingProviderType;
import com.microsoft.graph.models.Recipient;
import com.microsoft.graph.models.UploadSession;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.graph.users.item.events.item.cancel.CancelPostRequestBody;
import com.microsoft.graph.users.item.messages.item.attachments.createuploadsession.CreateUploadSessionPostRequestBody;
import com.microsoft.graph.users.item.sendmail.SendMailPostRequestBody;
import com.microsoft.kiota.RequestOption;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import com.microsoft.kiota.authentication.BaseBearerTokenAuthenticationProvider;
import com.microsoft.kiota.http.middleware.options.RetryHandlerOption;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.platform.Settings.HttpSettings;
import io.m365connector.platform.http.OutboundHttp;
import io.m365connector.testing.LocalCloudRouting;
import io.m365connector.testing.entra.FakeEntraId;
import io.m365connector.testing.entra.FakeUser;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fake Graph driven by the real Graph SDK (and plain OkHttp) over the shared HTTP stack, with tokens from the fake Entra ID. */
class FakeGraphTest {
    private static final String USGOV_TENANT = "7a1c6b2e-3d4f-4a5b-8c9d-0e1f2a3b4c5d";
    private static final String GLOBAL_TENANT = "3f2e1d0c-9b8a-4765-8432-10fedcba9876";
    private static final String CHINA_TENANT = "c4d5e6f7-0a1b-4c2d-9e3f-5a6b7c8d9e0f";
    private static final String ADELE = "adele.vance@contoso.us";
    private static final String SHARED = "billing@contoso.us";
    private static final Set<String> MAIL = Set.of("Mail.ReadWrite", "Mail.Send");
    private static final Set<String> SHARED_MAIL = Set.of("Mail.ReadWrite.Shared", "Mail.Send.Shared");
    private static final Set<String> CALENDAR = Set.of("Calendars.ReadWrite");
    private static final MediaType JSON = MediaType.get("application/json");
    /** What GraphGateway does: the SDK's retry handler switched off. */
    private static final RequestOption[] NO_RETRIES = {new RetryHandlerOption((delay, attempt, request, response) -> false, 0, 0)};

    private final FakeEntraId entra = new FakeEntraId();
    private final FakeGraph graph = new FakeGraph(entra);
    private final LocalCloudRouting routing = graph.routeInto(entra.routeInto(new LocalCloudRouting()));
    // One shared stack for Entra and Graph as in production (LocalCloudRouting gives each host its own address).
    private final OutboundHttp http = new OutboundHttp(new HttpSettings(Duration.ofSeconds(5), Optional.empty()), routing);
    private final GraphTokens tokens = new GraphTokens(entra, http);
    private final FakeUser adele = entra.addUser(NationalCloud.USGOV, USGOV_TENANT, ADELE);

    @AfterEach
    void tearDown() {
        graph.close();
        entra.close();
    }

    // ------------------------------------------------------------------ mail

    @Test
    void whenDraftIsCreatedAndSentThenItIsSentOnceAndItsIdNoLongerResolves() {
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, MAIL));
        Message message = message("Quarterly report", "megan@contoso.us");
        FileAttachment file = new FileAttachment();
        file.setName("report.txt");
        file.setContentType("text/plain");
        file.setContentBytes("hello".getBytes(StandardCharsets.UTF_8));
        message.setAttachments(List.of(file));

        Message draft = sdk.me().messages().post(message);

        assertTrue(draft.getId().length() > 100, draft.getId());
        assertTrue(draft.getIsDraft());
        assertTrue(draft.getHasAttachments());
        assertNull(draft.getAttachments(), "attachments are a navigation property, not in the answer");
        assertTrue(draft.getWebLink().startsWith("https://outlook.office365.us/owa/?ItemID="), draft.getWebLink());
        assertNotNull(draft.getCreatedDateTime());
        Message selected = sdk.me().messages().byMessageId(draft.getId()).get(rc -> rc.queryParameters.select = new String[] {"id", "isDraft"});
        assertTrue(selected.getIsDraft());
        assertNull(selected.getSubject(), "$select leaves the subject out");
        assertEquals(1, graph.drafts(ADELE).size());

        sdk.me().messages().byMessageId(draft.getId()).send().post();

        List<SentMail> sent = graph.sentMail(ADELE);
        assertEquals(1, sent.size());
        assertEquals(ADELE, sent.get(0).sentAs());
        assertEquals("Quarterly report", sent.get(0).subject());
        assertEquals("megan@contoso.us", sent.get(0).message().at("/toRecipients/0/emailAddress/address").asText());
        assertEquals("report.txt", sent.get(0).message().at("/attachments/0/name").asText());
        assertEquals(Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8)),
                sent.get(0).message().at("/attachments/0/contentBytes").asText());
        assertEquals(List.of(), graph.drafts(ADELE));
        ODataError gone = assertThrows(ODataError.class, () -> sdk.me().messages().byMessageId(draft.getId()).get());
        assertEquals(404, gone.getResponseStatusCode());
        assertEquals("ErrorItemNotFound", gone.getError().getCode());
        assertEquals("The specified object was not found in the store.", gone.getError().getMessage());
        ODataError again = assertThrows(ODataError.class, () -> sdk.me().messages().byMessageId(draft.getId()).send().post());
        assertEquals("ErrorItemNotFound", again.getError().getCode());
        assertEquals(1, graph.sentMail(ADELE).size(), "a sent draft cannot be sent twice");
    }

    @Test
    void whenTheSdkSendsThenBodiesUseItsCasingAndEveryRequestCarriesAClientRequestId() {
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, MAIL));
        Message draft = sdk.me().messages().post(message("Draft", "megan@contoso.us"));
        sdk.me().messages().byMessageId(draft.getId()).send().post();
        SendMailPostRequestBody body = new SendMailPostRequestBody();
        body.setMessage(message("Direct", "megan@contoso.us"));
        body.setSaveToSentItems(false);

        sdk.me().sendMail().post(body);

        RecordedRequest create = graph.requests("POST", "/me/messages").get(0);
        assertTrue(create.body().contains("\"subject\":\"Draft\""), create.body());
        assertTrue(create.body().contains("\"toRecipients\""), create.body());
        RecordedRequest send = graph.requests("POST", "/me/messages/[^/]+/send").get(0);
        assertEquals("", send.body(), "send() posts no body");
        RecordedRequest sendMail = graph.requests("POST", "/me/sendMail").get(0);
        JsonNode sendMailBody = GraphJson.parse(sendMail.body());
        assertTrue(sendMailBody.has("Message"), sendMail.body());
        assertTrue(sendMailBody.has("SaveToSentItems"), sendMail.body());
        assertFalse(sendMailBody.get("SaveToSentItems").asBoolean());
        assertEquals("graph.microsoft.us", sendMail.host());
        assertEquals(ADELE, sendMail.userUpn());
        assertEquals("Bearer [redacted]", sendMail.header("authorization"), "recorded without the token");
        for (RecordedRequest r : graph.requests()) {
            assertNotNull(r.header("client-request-id"), () -> r.method() + " " + r.path() + " has no client-request-id");
            assertTrue(r.header("User-Agent").startsWith("m365-connector/"), r.header("User-Agent"));
        }
        assertEquals(List.of("Draft", "Direct"), graph.sentMail(ADELE).stream().map(SentMail::subject).toList());
        assertFalse(graph.sentMail(ADELE).get(1).message().get("saveToSentItems").asBoolean());
    }

    @Test
    void whenPropertyNamesHaveAnyCaseThenGraphReadsThem() throws IOException {
        String token = tokens.accessToken(adele, MAIL);
        String body = "{\"MESSAGE\":{\"Subject\":\"Shouting\",\"ToRecipients\":[{\"EmailAddress\":{\"ADDRESS\":\"megan@contoso.us\"}}],"
                + "\"BODY\":{\"ContentType\":\"Text\",\"Content\":\"hi\"},\"unknownProperty\":1},\"saveTOSentItems\":true}";

        try (Response response = call("POST", "https://graph.microsoft.us/v1.0/me/sendMail", token, body, Map.of())) {
            assertEquals(202, response.code(), response.body().string());
        }

        SentMail sent = graph.sentMail(ADELE).get(0);
        assertEquals("Shouting", sent.subject());
        assertEquals("megan@contoso.us", sent.message().at("/toRecipients/0/emailAddress/address").asText());
        assertEquals("hi", sent.message().at("/body/content").asText());
    }

    @Test
    void whenSharedMailboxIsGrantedWithoutSendAsThenSendingFromItIsDenied() {
        graph.grantMailboxAccess(ADELE, SHARED, false);
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, SHARED_MAIL));
        SendMailPostRequestBody body = new SendMailPostRequestBody();
        body.setMessage(message("Invoice", "customer@fabrikam.com"));

        ODataError denied = assertThrows(ODataError.class, () -> sdk.users().byUserId(SHARED).sendMail().post(body));

        assertEquals(403, denied.getResponseStatusCode());
        assertEquals("ErrorSendAsDenied", denied.getError().getCode());
        assertTrue(denied.getError().getMessage().startsWith("The user account which was used to submit this request does not have the "
                + "right to send mail on behalf of the specified sending account."), denied.getError().getMessage());
        assertEquals(List.of(), graph.sentMail(SHARED));
        // The draft lives in the shared mailbox: creating it is allowed, sending it is not.
        Message draft = sdk.users().byUserId(SHARED).messages().post(message("Invoice draft", "customer@fabrikam.com"));
        assertEquals("ErrorSendAsDenied", assertThrows(ODataError.class,
                () -> sdk.users().byUserId(SHARED).messages().byMessageId(draft.getId()).send().post()).getError().getCode());
        assertEquals(1, graph.drafts(SHARED).size());
    }

    @Test
    void whenSharedMailboxIsGrantedWithSendAsThenMailGoesOutFromIt() {
        graph.grantMailboxAccess(ADELE, SHARED, true);
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, SHARED_MAIL));
        Message fromShared = message("Invoice", "customer@fabrikam.com");
        Recipient from = new Recipient();
        EmailAddress address = new EmailAddress();
        address.setAddress(SHARED);
        from.setEmailAddress(address);
        fromShared.setFrom(from);

        Message draft = sdk.users().byUserId(SHARED).messages().post(fromShared);
        sdk.users().byUserId(SHARED).messages().byMessageId(draft.getId()).send().post();

        SentMail sent = graph.sentMail(SHARED).get(0);
        assertEquals(SHARED, sent.sentAs());
        assertEquals(SHARED, sent.mailboxUpn());
        assertEquals("/users/" + SHARED + "/messages", graph.requests("POST", "/users/[^/]+/messages").get(0).path(),
                "recorded paths are URL-decoded (the SDK sends %40)");
        assertEquals(List.of(), graph.sentMail(ADELE));
    }

    @Test
    void whenOwnDraftIsFromAMailboxWithoutSendAsThenSendIsDenied() {
        graph.grantMailboxAccess(ADELE, SHARED, false);
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, MAIL));
        Message message = message("From shared", "customer@fabrikam.com");
        Recipient from = new Recipient();
        EmailAddress address = new EmailAddress();
        address.setAddress(SHARED);
        from.setEmailAddress(address);
        message.setFrom(from);
        Message draft = sdk.me().messages().post(message);

        ODataError denied = assertThrows(ODataError.class, () -> sdk.me().messages().byMessageId(draft.getId()).send().post());

        assertEquals("ErrorSendAsDenied", denied.getError().getCode());
        assertEquals(1, graph.drafts(ADELE).size(), "the draft stays");
    }

    @Test
    void whenOtherMailboxIsNotGrantedThenAccessIsDenied() {
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, SHARED_MAIL));

        ODataError denied = assertThrows(ODataError.class, () -> sdk.users().byUserId(SHARED).messages().post(message("x", "a@b.example")));

        assertEquals(403, denied.getResponseStatusCode());
        assertEquals("ErrorAccessDenied", denied.getError().getCode());
        assertEquals("Access is denied. Check credentials and try again.", denied.getError().getMessage());
        // The user's own mailbox by UPN and by object id is /me.
        sdk.users().byUserId(adele.objectId()).messages().post(message("own by id", "a@b.example"));
        assertEquals(1, graph.drafts(ADELE).size());
    }

    @Test
    void whenUploadSessionGetsTwoChunksThenTheDraftHasTheWholeAttachment() throws IOException {
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, MAIL));
        Message draft = sdk.me().messages().post(message("Big file", "megan@contoso.us"));
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(content);
        UploadSession session = sdk.me().messages().byMessageId(draft.getId()).attachments().createUploadSession()
                .post(uploadBody("big.bin", content.length));
        String url = session.getUploadUrl();
        assertTrue(url.startsWith("https://graph.microsoft.us/upload/"), url);
        assertEquals(List.of("0-"), session.getNextExpectedRanges());
        assertTrue(session.getExpirationDateTime().isAfter(OffsetDateTime.now()));
        int split = 2 * 1024 * 1024;

        try (Response withToken = put(url, content, 0, split, "Bearer " + "x.y.z")) {
            assertEquals(401, withToken.code(), "a pre-authenticated URL refuses a bearer token");
        }
        try (Response first = put(url, content, 0, split, null)) {
            assertEquals(200, first.code());
            JsonNode progress = GraphJson.parse(first.body().string());
            assertEquals("2097152-", progress.at("/nextExpectedRanges/0").asText());
            assertNotNull(progress.get("expirationDateTime"));
        }
        try (Response wrongStart = put(url, content, 0, 1024, null)) {
            assertEquals(416, wrongStart.code());
        }
        try (Response last = put(url, content, split, content.length, null)) {
            assertEquals(201, last.code());
            assertEquals("", last.body().string());
        }

        JsonNode attachment = graph.drafts(ADELE).get(0).at("/attachments/0");
        assertEquals("big.bin", attachment.get("name").asText());
        assertEquals("application/octet-stream", attachment.get("contentType").asText());
        assertEquals(content.length, attachment.get("size").asInt());
        assertEquals(Base64.getEncoder().encodeToString(content), attachment.get("contentBytes").asText());
        List<RecordedRequest> puts = graph.requests("PUT", "/upload/.*");
        assertEquals(4, puts.size());
        assertEquals("[2097152 bytes]", puts.get(1).body());
        assertNull(puts.get(1).userUpn());
        sdk.me().messages().byMessageId(draft.getId()).send().post();
        assertEquals("big.bin", graph.sentMail(ADELE).get(0).message().at("/attachments/0/name").asText());
    }

    @Test
    void whenUploadSessionIsForASmallFileOrAChunkIsTooLargeThenGraphRefuses() throws IOException {
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, MAIL));
        Message draft = sdk.me().messages().post(message("Files", "megan@contoso.us"));

        ODataError small = assertThrows(ODataError.class, () -> sdk.me().messages().byMessageId(draft.getId()).attachments()
                .createUploadSession().post(uploadBody("small.bin", 1024 * 1024)));
        assertEquals(400, small.getResponseStatusCode());
        assertEquals("ErrorAttachmentSizeShouldNotBeLessThanMinimumSize", small.getError().getCode());

        byte[] content = new byte[5 * 1024 * 1024];
        String url = sdk.me().messages().byMessageId(draft.getId()).attachments().createUploadSession()
                .post(uploadBody("large.bin", content.length)).getUploadUrl();
        try (Response tooLarge = put(url, content, 0, content.length, null)) {
            assertEquals(400, tooLarge.code());
        }
        try (Response stolen = put(url.replaceAll("authtoken=[^&]+", "authtoken=guessed"), content, 0, 1024, null)) {
            assertEquals(404, stolen.code(), "the URL's secret is checked");
        }
    }

    @Test
    void whenInlineAttachmentsMakeTheBodyLargerThan4MbThenGraphAnswers413() {
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, MAIL));
        Message message = message("Too big", "megan@contoso.us");
        FileAttachment file = new FileAttachment();
        file.setName("three-mib.bin");
        file.setContentBytes(new byte[3 * 1024 * 1024]);
        message.setAttachments(List.of(file));

        ODataError tooLarge = assertThrows(ODataError.class, () -> sdk.me().messages().post(message));

        assertEquals(413, tooLarge.getResponseStatusCode());
        assertEquals(List.of(), graph.drafts(ADELE));
    }

    // ------------------------------------------------------------------ events

    @Test
    void whenEventIsCreatedTwiceWithTheSameTransactionIdThenThereIsOneEvent() {
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, CALENDAR));

        Event first = sdk.me().events().post(onlineEvent("Planning", "tx-7f3a"));
        Event second = sdk.me().calendar().events().post(onlineEvent("Planning", "tx-7f3a"));

        assertEquals(first.getId(), second.getId());
        assertEquals(1, graph.events(ADELE).size());
        assertTrue(first.getIsOrganizer());
        assertEquals(ADELE, first.getOrganizer().getEmailAddress().getAddress());
        assertEquals("Adele Vance", first.getOrganizer().getEmailAddress().getName());
        assertTrue(first.getOnlineMeeting().getJoinUrl().startsWith("https://gov.teams.microsoft.us/l/meetup-join/"),
                first.getOnlineMeeting().getJoinUrl());
        assertEquals(OnlineMeetingProviderType.TeamsForBusiness, first.getOnlineMeetingProvider());
        assertTrue(first.getWebLink().startsWith("https://outlook.office365.us/owa/?itemid="), first.getWebLink());
        assertTrue(first.getICalUId().startsWith("040000008200E00074C5B7101A82E008"), first.getICalUId());
        assertEquals("2030-05-01T09:00:00.0000000", first.getStart().getDateTime());
        assertEquals("Eastern Standard Time", first.getStart().getTimeZone());
        assertNotNull(first.getCreatedDateTime());
        assertEquals("tx-7f3a", graph.events(ADELE).get(0).get("transactionId").asText());
        // A calendar by id works too, once known; an unknown calendar id does not.
        String calendarId = sdk.me().calendar().get().getId();
        assertEquals(first.getId(), sdk.me().calendars().byCalendarId(calendarId).events().post(onlineEvent("Planning", "tx-7f3a")).getId());
        assertEquals(404, assertThrows(ODataError.class, () -> sdk.me().calendars().byCalendarId("AAMkAnotACalendar=").events()
                .post(onlineEvent("Planning", "tx-7f3a"))).getResponseStatusCode());
        assertEquals(1, graph.events(ADELE).size());
    }

    @Test
    void whenTheSameSdkModelIsPostedTwiceThenTheSecondBodyHasOnlyChangedProperties() {
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, CALENDAR));
        Event event = onlineEvent("Planning", "tx-reused");

        Event first = sdk.me().events().post(event);
        Event second = sdk.me().events().post(event);

        // The SDK's backing store serializes only values changed since the last serialization: a
        // retry that re-posts the same model object sends {} (no transactionId, so no idempotency).
        List<RecordedRequest> posts = graph.requests("POST", "/me/events");
        assertTrue(posts.get(0).body().contains("\"transactionId\":\"tx-reused\""), posts.get(0).body());
        assertEquals("{}", posts.get(1).body());
        assertNotEquals(first.getId(), second.getId());
        assertEquals(2, graph.events(ADELE).size());
    }

    @Test
    void whenOrganizerCancelsThenTheEventIsGoneAndTheCancellationIsRecorded() {
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, CALENDAR));
        Event created = sdk.me().events().post(event("Offsite", null));
        CancelPostRequestBody cancel = new CancelPostRequestBody();
        cancel.setComment("Moved to next quarter");

        sdk.me().events().byEventId(created.getId()).cancel().post(cancel);

        assertEquals(List.of(), graph.events(ADELE));
        List<JsonNode> cancellations = graph.cancellations(ADELE);
        assertEquals(1, cancellations.size());
        assertEquals(created.getId(), cancellations.get(0).get("eventId").asText());
        assertEquals("Moved to next quarter", cancellations.get(0).get("comment").asText());
        assertTrue(graph.requests("POST", "/me/events/[^/]+/cancel").get(0).body().contains("\"Comment\""));
        assertEquals("ErrorItemNotFound", assertThrows(ODataError.class,
                () -> sdk.me().events().byEventId(created.getId()).get()).getError().getCode());
    }

    @Test
    void whenAttendeeCancelsThenGraphAnswers400AndTheEventStays() {
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, CALENDAR));
        ObjectNode invitation = GraphJson.object();
        invitation.put("subject", "Their meeting");
        String id = graph.addInvitation(ADELE, invitation);
        CancelPostRequestBody cancel = new CancelPostRequestBody();
        cancel.setComment("no");

        ODataError refused = assertThrows(ODataError.class, () -> sdk.me().events().byEventId(id).cancel().post(cancel));

        assertEquals(400, refused.getResponseStatusCode());
        assertEquals("ErrorAccessDenied", refused.getError().getCode());
        assertEquals("Your request can't be completed. You need to be an organizer to cancel a meeting.", refused.getError().getMessage());
        assertEquals(1, graph.events(ADELE).size());
        assertFalse(sdk.me().events().byEventId(id).get().getIsOrganizer());
        assertEquals(List.of(), graph.cancellations(ADELE));
    }

    @Test
    void whenEventIsPatchedThenGivenPropertiesChangeAndWhenDeletedThenItIsGone() {
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, CALENDAR));
        Event created = sdk.me().events().post(event("Draft title", null));
        Event change = new Event();
        change.setSubject("Final title");

        Event patched = sdk.me().events().byEventId(created.getId()).patch(change);

        assertEquals("Final title", patched.getSubject());
        assertEquals("2030-05-01T09:00:00.0000000", patched.getStart().getDateTime(), "untouched properties stay");
        assertEquals("Final title", graph.events(ADELE).get(0).get("subject").asText());

        sdk.me().events().byEventId(created.getId()).delete();

        assertEquals(List.of(), graph.events(ADELE));
        assertEquals(List.of(), graph.cancellations(ADELE), "deleting is not cancelling");
        assertEquals(404, assertThrows(ODataError.class, () -> sdk.me().events().byEventId(created.getId()).get()).getResponseStatusCode());
    }

    // ------------------------------------------------------------------ authentication and permissions

    @Test
    void whenTokenIsForAnotherCloudsGraphThenItIsRefusedWith401() {
        FakeUser alex = entra.addUser(NationalCloud.GLOBAL, GLOBAL_TENANT, "alex@contoso.com");
        String globalToken = tokens.accessToken(alex, MAIL);

        ODataError refused = assertThrows(ODataError.class,
                () -> sdk(NationalCloud.USGOV, globalToken).me().sendMail().post(sendMailBody("x", "a@b.example")));

        assertEquals(401, refused.getResponseStatusCode());
        assertEquals("InvalidAuthenticationToken", refused.getError().getCode());
        assertEquals("Access token validation failure. Invalid audience.", refused.getError().getMessage());
        assertTrue(refused.getResponseHeaders().get("WWW-Authenticate").iterator().next().contains("login.microsoftonline.us"));
        assertEquals("alex@contoso.com", graph.requests().get(0).userUpn(), "the token is known, just not for this host");
        sdk(NationalCloud.GLOBAL, globalToken).me().sendMail().post(sendMailBody("x", "a@b.example"));
        assertEquals(1, graph.sentMail("alex@contoso.com").size(), "the same token works at graph.microsoft.com");
        // GCC High and DoD share a login host but not a Graph host.
        ODataError dod = assertThrows(ODataError.class,
                () -> sdk(NationalCloud.USGOVDOD, tokens.accessToken(adele, MAIL)).me().sendMail().post(sendMailBody("x", "a@b.example")));
        assertEquals(401, dod.getResponseStatusCode());
    }

    @Test
    void whenTokenIsMissingUnknownOrExpiredThenGraphAnswers401WithItsErrorShape() throws IOException {
        try (Response none = call("GET", "https://graph.microsoft.us/v1.0/me/messages/abc", null, null, Map.of("client-request-id", "my-corr-id"))) {
            assertEquals(401, none.code());
            JsonNode error = GraphJson.parse(none.body().string()).get("error");
            assertEquals("InvalidAuthenticationToken", error.get("code").asText());
            assertEquals("Access token is empty.", error.get("message").asText());
            assertEquals("my-corr-id", error.at("/innerError/client-request-id").asText());
            assertEquals(none.header("request-id"), error.at("/innerError/request-id").asText());
            assertTrue(error.at("/innerError/date").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d"));
            assertEquals("my-corr-id", none.header("client-request-id"));
        }
        try (Response unknown = call("GET", "https://graph.microsoft.us/v1.0/me/messages/abc", "eyJ0eXAi.not.issued", null, Map.of())) {
            assertEquals(401, unknown.code());
            assertEquals("Access token validation failure.", GraphJson.parse(unknown.body().string()).at("/error/message").asText());
        }
        entra.setAccessTokenLifetime(Duration.ZERO);
        String expired = tokens.accessToken(adele, MAIL);
        ODataError refused = assertThrows(ODataError.class, () -> sdk(NationalCloud.USGOV, expired).me().messages().post(message("x", "a@b.example")));
        assertEquals(401, refused.getResponseStatusCode());
        assertEquals("Lifetime validation failed, the token is expired.", refused.getError().getMessage());
        assertEquals(refused.getResponseHeaders().get("request-id").iterator().next(), refused.getError().getInnerError().getRequestId());
    }

    @Test
    void whenAPermissionIsMissingThenGraphAnswers403AccessDenied() {
        GraphServiceClient sendOnly = sdk(NationalCloud.USGOV, tokens.accessToken(adele, Set.of("Mail.Send")));

        ODataError denied = assertThrows(ODataError.class, () -> sendOnly.me().messages().post(message("x", "a@b.example")));

        assertEquals(403, denied.getResponseStatusCode());
        assertEquals("ErrorAccessDenied", denied.getError().getCode());
        assertEquals("Access is denied. Check credentials and try again.", denied.getError().getMessage());
        sendOnly.me().sendMail().post(sendMailBody("allowed", "a@b.example"));
        assertEquals(1, graph.sentMail(ADELE).size());
        assertEquals("ErrorAccessDenied", assertThrows(ODataError.class,
                () -> sendOnly.me().events().post(event("x", null))).getError().getCode());
        // Own-mailbox permissions do not reach a granted shared mailbox.
        graph.grantMailboxAccess(ADELE, SHARED, true);
        assertEquals(403, assertThrows(ODataError.class,
                () -> sendOnly.users().byUserId(SHARED).sendMail().post(sendMailBody("x", "a@b.example"))).getResponseStatusCode());
    }

    // ------------------------------------------------------------------ faults

    @Test
    void whenSendFailsAmbiguouslyThenTheMailWasSentAndTheSdksOwnRetryFindsTheDraftGone() {
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, MAIL)); // SDK defaults: retry handler on
        Message draft = sdk.me().messages().post(message("Once only", "megan@contoso.us"));
        graph.failNext("POST", "/me/messages/[^/]+/send", 504, "UnknownError", "Gateway timeout", 1, true);

        ODataError error = assertThrows(ODataError.class, () -> sdk.me().messages().byMessageId(draft.getId()).send().post());

        // The retry handler re-sent the POST after Retry-After; the draft was already sent, so Graph said 404.
        assertEquals(404, error.getResponseStatusCode());
        assertEquals("ErrorItemNotFound", error.getError().getCode());
        List<RecordedRequest> sends = graph.requests("POST", "/me/messages/[^/]+/send");
        assertEquals(2, sends.size());
        assertNull(sends.get(0).header("Retry-Attempt"));
        assertEquals("1", sends.get(1).header("Retry-Attempt"));
        assertEquals(1, graph.sentMail(ADELE).size(), "sent once: a draft cannot go out twice");
    }

    @Test
    void whenSendFailsAmbiguouslyWithoutSdkRetriesThenTheErrorArrivesAndTheDraftIsGone() {
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, MAIL), NO_RETRIES);
        Message draft = sdk.me().messages().post(message("Once only", "megan@contoso.us"));
        graph.failNext("POST", "/me/messages/[^/]+/send", 504, "UnknownError", "Gateway timeout", 2, true);

        ODataError error = assertThrows(ODataError.class, () -> sdk.me().messages().byMessageId(draft.getId()).send().post());

        assertEquals(504, error.getResponseStatusCode());
        assertEquals("UnknownError", error.getError().getCode());
        assertEquals("2", error.getResponseHeaders().get("Retry-After").iterator().next());
        assertEquals(1, graph.sentMail(ADELE).size());
        assertEquals(404, assertThrows(ODataError.class, () -> sdk.me().messages().byMessageId(draft.getId()).get()).getResponseStatusCode(),
                "looking the draft up tells that it was sent");
    }

    @Test
    void whenAFaultIsNotPerformedFirstThenNothingHappensAndOnlyTheNextMatchingRequestFails() {
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, MAIL), NO_RETRIES);
        graph.failNext("post", "/me/sendMail", 429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", 3, false);

        ODataError throttled = assertThrows(ODataError.class, () -> sdk.me().sendMail().post(sendMailBody("one", "a@b.example")));

        assertEquals(429, throttled.getResponseStatusCode());
        assertEquals("ApplicationThrottled", throttled.getError().getCode());
        assertEquals(List.of(), graph.sentMail(ADELE));
        sdk.me().sendMail().post(sendMailBody("two", "a@b.example"));
        assertEquals(List.of("two"), graph.sentMail(ADELE).stream().map(SentMail::subject).toList());
    }

    @Test
    void whenTheConnectionDropsOnAFreshConnectionThenTheSendFailsWithAnIoErrorAndIsNotResent() {
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, MAIL), NO_RETRIES);
        graph.dropNext("POST", "/me/sendMail", true);

        RuntimeException failure = assertThrows(RuntimeException.class, () -> sdk.me().sendMail().post(sendMailBody("dropped", "a@b.example")));

        assertTrue(hasCause(failure, IOException.class), failure.toString());
        assertEquals(1, graph.requests("POST", "/me/sendMail").size());
        assertEquals(1, graph.sentMail(ADELE).size(), "the mail went out although no answer came back");
    }

    @Test
    void whenTheConnectionDropsOnAPooledConnectionThenOkHttpSilentlyResendsThePostAndTheMailGoesOutTwice() {
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, MAIL), NO_RETRIES);
        sdk.me().sendMail().post(sendMailBody("warm-up", "a@b.example")); // leaves a pooled connection
        graph.dropNext("POST", "/me/sendMail", true);

        sdk.me().sendMail().post(sendMailBody("dropped", "a@b.example")); // no exception: OkHttp retried on a new connection

        // OkHttp's retryOnConnectionFailure (on by default) re-sends a request whose pooled connection
        // failed, POST included: Graph sees the send twice. Not a Graph SDK retry (those are off here).
        List<RecordedRequest> posts = graph.requests("POST", "/me/sendMail");
        assertEquals(3, posts.size());
        assertNull(posts.get(2).header("Retry-Attempt"));
        assertEquals(List.of("warm-up", "dropped", "dropped"), graph.sentMail(ADELE).stream().map(SentMail::subject).toList());
    }

    @Test
    void whenRetryOnConnectionFailureIsOffThenADroppedSendSurfacesAsAnError() {
        OkHttpClient noSilentRetry = http.okHttp().newBuilder().retryOnConnectionFailure(false).build();
        GraphServiceClient sdk = sdk(noSilentRetry, NationalCloud.USGOV, tokens.accessToken(adele, MAIL), NO_RETRIES);
        sdk.me().sendMail().post(sendMailBody("warm-up", "a@b.example"));
        graph.dropNext("POST", "/me/sendMail", true);

        RuntimeException failure = assertThrows(RuntimeException.class, () -> sdk.me().sendMail().post(sendMailBody("dropped", "a@b.example")));

        assertTrue(hasCause(failure, IOException.class), failure.toString());
        assertEquals(2, graph.requests("POST", "/me/sendMail").size());
        assertEquals(List.of("warm-up", "dropped"), graph.sentMail(ADELE).stream().map(SentMail::subject).toList(),
                "sent once; the caller sees an ambiguous failure instead of a silent duplicate");
    }

    // ------------------------------------------------------------------ other clouds, concurrency, latency, views

    @Test
    void whenDodAndChinaUsersCallTheirGraphHostsThenTheFakeAnswersThere() {
        FakeUser dodUser = entra.addUser(NationalCloud.USGOVDOD, USGOV_TENANT, "pat@army.contoso.mil");
        FakeUser chinaUser = entra.addUser(NationalCloud.CHINA, CHINA_TENANT, "li.wei@contoso.partner.onmschina.cn");
        GraphServiceClient dod = sdk(NationalCloud.USGOVDOD, tokens.accessToken(dodUser, CALENDAR));
        GraphServiceClient china = sdk(NationalCloud.CHINA, tokens.accessToken(chinaUser, MAIL));
        Event online = event("Briefing", null);
        online.setIsOnlineMeeting(true);

        Event created = dod.me().events().post(online);
        china.me().sendMail().post(sendMailBody("你好", "wang@contoso.partner.onmschina.cn"));

        assertTrue(created.getOnlineMeeting().getJoinUrl().startsWith("https://dod.teams.microsoft.us/"), created.getOnlineMeeting().getJoinUrl());
        assertEquals("dod-graph.microsoft.us", graph.requests("POST", "/me/events").get(0).host());
        assertEquals("你好", graph.sentMail("li.wei@contoso.partner.onmschina.cn").get(0).subject());
        assertEquals("microsoftgraph.chinacloudapi.cn", graph.requests("POST", "/me/sendMail").get(0).host());
    }

    @Test
    void whenTenRequestsArriveConcurrentlyThenEachIsHandledAndRecorded() throws Exception {
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, Set.of("Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite")));
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Callable<String>> calls = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int n = i;
                calls.add(() -> {
                    if (n % 2 == 0) {
                        Message draft = sdk.me().messages().post(message("mail " + n, "a@b.example"));
                        sdk.me().messages().byMessageId(draft.getId()).send().post();
                        return draft.getId();
                    }
                    return sdk.me().events().post(event("event " + n, "tx-" + n)).getId();
                });
            }
            Set<String> ids = new HashSet<>();
            for (Future<String> f : pool.invokeAll(calls)) {
                ids.add(f.get());
            }
            assertEquals(10, ids.size());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(5, graph.sentMail(ADELE).size());
        assertEquals(5, graph.events(ADELE).size());
        assertEquals(15, graph.requests().size());
        assertEquals(List.of(), graph.unhandledRequests());
    }

    @Test
    void whenLatencyIsSetThenEveryAnswerIsDelayed() {
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, MAIL));
        graph.setLatency(Duration.ofMillis(300));

        long start = System.nanoTime();
        sdk.me().sendMail().post(sendMailBody("slow", "a@b.example"));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertTrue(elapsedMs >= 300, "took " + elapsedMs + " ms");
        assertEquals(1, graph.sentMail(ADELE).size());
    }

    @Test
    void whenTheMailboxPageIsOpenedThenItListsSentMailAndEventsEscaped() throws IOException {
        GraphServiceClient mail = sdk(NationalCloud.USGOV, tokens.accessToken(adele, Set.of("Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite")));
        Message message = message("<script>alert(1)</script> & more", "megan@contoso.us");
        FileAttachment file = new FileAttachment();
        file.setName("notes \"v2\".txt");
        file.setContentBytes(new byte[] {1, 2, 3});
        message.setAttachments(List.of(file));
        mail.me().sendMail().post(sendMailBody(message));
        Event online = event("Design review", null);
        online.setIsOnlineMeeting(true);
        String joinUrl = mail.me().events().post(online).getOnlineMeeting().getJoinUrl();

        try (Response page = call("GET", "https://graph.microsoft.us/_fake/mailbox/" + ADELE, null, null, Map.of())) {
            assertEquals(200, page.code());
            assertTrue(page.header("Content-Type").startsWith("text/html"));
            String html = page.body().string();
            assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"), html);
            assertFalse(html.contains("<script>"), html);
            assertTrue(html.contains("megan@contoso.us"), html);
            assertTrue(html.contains("notes &quot;v2&quot;.txt"), html);
            assertTrue(html.contains("Design review"), html);
            assertTrue(html.contains("2030-05-01T09:00:00.0000000 (Eastern Standard Time)"), html);
            assertTrue(html.contains(joinUrl.replace("&", "&amp;")), html);
        }
    }

    @Test
    void whenAPathIsNotImplementedThenTheFakeAnswers404AndRecordsIt() throws IOException {
        String token = tokens.accessToken(adele, MAIL);

        try (Response response = call("GET", "https://graph.microsoft.us/v1.0/me/drive/root", token, null, Map.of())) {
            assertEquals(404, response.code());
            assertEquals("ResourceNotFound", GraphJson.parse(response.body().string()).at("/error/code").asText());
        }

        assertEquals(List.of("GET https://graph.microsoft.us/v1.0/me/drive/root"), graph.unhandledRequests());
        assertEquals("/me/drive/root", graph.requests().get(0).path());
    }

    @Test
    void whenResetThenStateFaultsAndRequestsAreForgottenButGrantsStay() {
        graph.grantMailboxAccess(ADELE, SHARED, true);
        GraphServiceClient sdk = sdk(NationalCloud.USGOV, tokens.accessToken(adele, SHARED_MAIL), NO_RETRIES);
        sdk.users().byUserId(SHARED).sendMail().post(sendMailBody("before", "a@b.example"));
        graph.failNext("POST", "/users/[^/]+/sendMail", 503, "ServiceUnavailable", "down", null, false);

        graph.reset();

        assertEquals(List.of(), graph.sentMail(SHARED));
        assertEquals(List.of(), graph.requests());
        sdk.users().byUserId(SHARED).sendMail().post(sendMailBody("after", "a@b.example"));
        assertEquals(List.of("after"), graph.sentMail(SHARED).stream().map(SentMail::subject).toList());
    }

    // ------------------------------------------------------------------ helpers

    /** A Graph client as production builds one: the shared OkHttp stack plus Graph's middleware. */
    private GraphServiceClient sdk(NationalCloud cloud, String accessToken, RequestOption... options) {
        return sdk(http.okHttp(), cloud, accessToken, options);
    }

    private GraphServiceClient sdk(OkHttpClient base, NationalCloud cloud, String accessToken, RequestOption... options) {
        OkHttpClient.Builder builder = base.newBuilder();
        for (Interceptor interceptor : GraphClientFactory.createDefaultGraphInterceptors(options)) {
            builder.addInterceptor(interceptor);
        }
        AccessTokenProvider provider = new AccessTokenProvider() {
            private final AllowedHostsValidator hosts = new AllowedHostsValidator(cloud.graphHost());

            @Override
            public String getAuthorizationToken(URI uri, Map<String, Object> additionalContext) {
                return hosts.isUrlHostValid(uri) ? accessToken : "";
            }

            @Override
            public AllowedHostsValidator getAllowedHostsValidator() {
                return hosts;
            }
        };
        return new GraphServiceClient(new BaseGraphRequestAdapter(new BaseBearerTokenAuthenticationProvider(provider), cloud.graphBaseUrl(),
                builder.build()));
    }

    private static Message message(String subject, String to) {
        Message m = new Message();
        m.setSubject(subject);
        ItemBody body = new ItemBody();
        body.setContentType(BodyType.Html);
        body.setContent("<p>" + subject + "</p>");
        m.setBody(body);
        Recipient recipient = new Recipient();
        EmailAddress address = new EmailAddress();
        address.setAddress(to);
        recipient.setEmailAddress(address);
        m.setToRecipients(List.of(recipient));
        return m;
    }

    private static SendMailPostRequestBody sendMailBody(String subject, String to) {
        return sendMailBody(message(subject, to));
    }

    private static SendMailPostRequestBody sendMailBody(Message message) {
        SendMailPostRequestBody body = new SendMailPostRequestBody();
        body.setMessage(message);
        body.setSaveToSentItems(true);
        return body;
    }

    private static Event event(String subject, String transactionId) {
        Event e = new Event();
        e.setSubject(subject);
        DateTimeTimeZone start = new DateTimeTimeZone();
        start.setDateTime("2030-05-01T09:00:00");
        start.setTimeZone("Eastern Standard Time");
        DateTimeTimeZone end = new DateTimeTimeZone();
        end.setDateTime("2030-05-01T10:00:00");
        end.setTimeZone("Eastern Standard Time");
        e.setStart(start);
        e.setEnd(end);
        if (transactionId != null) {
            e.setTransactionId(transactionId);
        }
        return e;
    }

    private static Event onlineEvent(String subject, String transactionId) {
        Event e = event(subject, transactionId);
        e.setIsOnlineMeeting(true);
        e.setOnlineMeetingProvider(OnlineMeetingProviderType.TeamsForBusiness);
        return e;
    }

    private static CreateUploadSessionPostRequestBody uploadBody(String name, long size) {
        AttachmentItem item = new AttachmentItem();
        item.setAttachmentType(AttachmentType.File);
        item.setName(name);
        item.setSize(size);
        item.setContentType("application/octet-stream");
        CreateUploadSessionPostRequestBody body = new CreateUploadSessionPostRequestBody();
        body.setAttachmentItem(item);
        return body;
    }

    /** A PUT of content[from, to) to an upload URL with the plain shared client (no Graph middleware). */
    private Response put(String uploadUrl, byte[] content, int from, int to, String authorization) throws IOException {
        Request.Builder request = new Request.Builder().url(uploadUrl)
                .header("Content-Range", "bytes " + from + "-" + (to - 1) + "/" + content.length)
                .put(RequestBody.create(Arrays.copyOfRange(content, from, to), MediaType.get("application/octet-stream")));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.okHttp().newCall(request.build()).execute();
    }

    private Response call(String method, String url, String token, String json, Map<String, String> headers) throws IOException {
        Request.Builder request = new Request.Builder().url(url)
                .method(method, json == null ? null : RequestBody.create(json.getBytes(StandardCharsets.UTF_8), JSON));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        return http.okHttp().newCall(request.build()).execute();
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
