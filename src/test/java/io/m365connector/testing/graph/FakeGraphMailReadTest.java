package io.m365connector.testing.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.graph.models.Attachment;
import com.microsoft.graph.models.BodyType;
import com.microsoft.graph.models.EmailAddress;
import com.microsoft.graph.models.FileAttachment;
import com.microsoft.graph.models.ItemBody;
import com.microsoft.graph.models.Message;
import com.microsoft.graph.models.MessageCollectionResponse;
import com.microsoft.graph.models.Recipient;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.graph.users.item.sendmail.SendMailPostRequestBody;
import io.m365connector.cloud.NationalCloud;
import io.m365connector.testing.entra.FakeUser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Mail folders, messages and attachments on the fake Graph, read through the real Graph SDK. */
class FakeGraphMailReadTest {
    private static final String ADELE = "adele.vance@contoso.us";
    private static final String MEGAN = "megan.bowen@contoso.us";

    private final SyncBench bench = new SyncBench();
    private final FakeGraph graph = bench.graph;
    private final FakeMailStore mail = graph.mail();
    private final FakeUser adele = bench.user(NationalCloud.USGOV, ADELE);

    @AfterEach
    void tearDown() {
        bench.close();
    }

    @Test
    void whenTwelveMessagesArriveThenTheInboxListsThemNewestFirstTenAPageWithANextLink() {
        for (int i = 1; i <= 12; i++) {
            mail.deliver(ADELE, received("Message " + i, "dana@fabrikam.example", "text", "Hello " + i));
            bench.clock.advance(Duration.ofMinutes(1));
        }
        GraphServiceClient sdk = bench.sdk(adele, SyncBench.MAIL_READ);

        MessageCollectionResponse first = sdk.me().mailFolders().byMailFolderId("inbox").messages().get();
        MessageCollectionResponse second = sdk.me().mailFolders().byMailFolderId("inbox").messages().withUrl(first.getOdataNextLink()).get();

        assertEquals(10, first.getValue().size());
        assertEquals("Message 12", first.getValue().get(0).getSubject(), "newest first");
        assertTrue(first.getOdataNextLink().contains("$skip=10"), first.getOdataNextLink());
        assertEquals(List.of("Message 2", "Message 1"), second.getValue().stream().map(Message::getSubject).toList());
        assertNull(second.getOdataNextLink());
        Message m = second.getValue().get(1);
        assertEquals(mail.folderId(ADELE, "inbox"), m.getParentFolderId());
        assertFalse(m.getIsRead());
        assertEquals("dana@fabrikam.example", m.getFrom().getEmailAddress().getAddress());
        assertEquals(ADELE, m.getToRecipients().get(0).getEmailAddress().getAddress());
        assertEquals("Hello 1", m.getBodyPreview());
        assertTrue(m.getInternetMessageId().startsWith("<"), m.getInternetMessageId());
        assertTrue(m.getChangeKey().length() > 8);
        assertTrue(m.getId().startsWith("AAMkA"), m.getId());
        assertTrue(m.getReceivedDateTime().toInstant().isBefore(first.getValue().get(0).getReceivedDateTime().toInstant()));
    }

    @Test
    void whenTopFilterOrderbyAndSelectAreGivenThenTheListHonoursThemAndTheNextLinkKeepsThem() {
        Instant start = bench.clock.instant();
        mail.deliver(ADELE, received("Old", "dana@fabrikam.example", "text", "x"));
        bench.clock.advance(Duration.ofHours(1));
        String read = mail.deliver(ADELE, received("Read", "dana@fabrikam.example", "text", "x"));
        mail.markRead(ADELE, read, true);
        for (String subject : List.of("A", "B", "C")) {
            mail.deliver(ADELE, received(subject, "dana@fabrikam.example", "text", "x"));
        }
        mail.deliver(ADELE, received("From Lee", "lee@fabrikam.example", "text", "x"));
        GraphServiceClient sdk = bench.sdk(adele, SyncBench.MAIL_READ);
        String filter = "receivedDateTime ge " + start.plus(Duration.ofMinutes(30)) + " and isRead eq false"
                + " and from/emailAddress/address eq 'dana@fabrikam.example'";

        MessageCollectionResponse page = sdk.me().mailFolders().byMailFolderId("inbox").messages().get(rc -> {
            rc.queryParameters.top = 2;
            rc.queryParameters.filter = filter;
            rc.queryParameters.orderby = new String[] {"receivedDateTime desc"};
            rc.queryParameters.select = new String[] {"subject"};
        });
        MessageCollectionResponse rest = sdk.me().mailFolders().byMailFolderId("inbox").messages().withUrl(page.getOdataNextLink()).get();

        assertEquals(2, page.getValue().size());
        assertNull(page.getValue().get(0).getBody(), "$select leaves the body out");
        assertEquals(1, rest.getValue().size(), "A, B and C match; Old, Read and From Lee do not");
        assertNull(rest.getValue().get(0).getBody(), "the next link keeps $select");
        assertEquals(Set.of("A", "B", "C"), Set.of(page.getValue().get(0).getSubject(), page.getValue().get(1).getSubject(),
                rest.getValue().get(0).getSubject()));
    }

    @Test
    void whenFilterAndOrderbyNameDifferentPropertiesThenGraphAnswersInefficientFilter() {
        GraphServiceClient sdk = bench.sdk(adele, SyncBench.MAIL_READ);

        ODataError e = assertThrows(ODataError.class, () -> sdk.me().mailFolders().byMailFolderId("inbox").messages().get(rc -> {
            rc.queryParameters.filter = "isRead eq false";
            rc.queryParameters.orderby = new String[] {"receivedDateTime desc"};
        }));
        ODataError unknown = assertThrows(ODataError.class, () -> sdk.me().mailFolders().byMailFolderId("inbox").messages()
                .get(rc -> rc.queryParameters.filter = "importance eq 'high'"));

        assertEquals(400, e.getResponseStatusCode());
        assertEquals("InefficientFilter", e.getError().getCode());
        assertEquals(400, unknown.getResponseStatusCode(), "a filter the fake does not know fails loudly");
    }

    @Test
    void whenPreferBodyContentTypeIsGivenThenTheBodyIsConvertedAndThePreferenceApplied() {
        String id = mail.deliver(ADELE, received("Agenda", "dana@fabrikam.example", "html",
                "<html><body><p>Dear Adele,</p><p>see &amp; agree</p></body></html>"));
        String plain = mail.deliver(ADELE, received("Plain", "dana@fabrikam.example", "text", "a < b"));
        String token = bench.tokens.accessToken(adele, SyncBench.MAIL_READ);
        GraphServiceClient sdk = bench.sdk(NationalCloud.USGOV, token);

        Message asText = sdk.me().messages().byMessageId(id).get(rc -> rc.headers.add("Prefer", "outlook.body-content-type=\"text\""));
        Message asHtml = sdk.me().messages().byMessageId(plain).get(rc -> rc.headers.add("Prefer", "outlook.body-content-type=\"html\""));
        Message unchanged = sdk.me().messages().byMessageId(id).get();

        assertEquals(BodyType.Text, asText.getBody().getContentType());
        assertEquals("Dear Adele,\nsee & agree", asText.getBody().getContent());
        assertEquals(BodyType.Html, asHtml.getBody().getContentType());
        assertTrue(asHtml.getBody().getContent().contains("a &lt; b"), asHtml.getBody().getContent());
        assertEquals(BodyType.Html, unchanged.getBody().getContentType());
        try (Response raw = bench.get("https://graph.microsoft.us/v1.0/me/messages/" + id, token,
                Map.of("Prefer", "outlook.body-content-type=\"text\""))) {
            assertEquals("outlook.body-content-type=\"text\"", raw.header("Preference-Applied"));
        }
    }

    @Test
    void whenOnlyMailReadBasicIsGrantedThenMessagesComeWithoutBodyAndAttachmentsAreDenied() {
        ObjectNode withFile = received("Invoice", "dana@fabrikam.example", "text", "secret");
        withFile.putArray("attachments").add(file("invoice.pdf", "application/pdf", new byte[] {1, 2}));
        String id = mail.deliver(ADELE, withFile);
        GraphServiceClient basic = bench.sdk(adele, Set.of("Mail.ReadBasic"));

        Message m = basic.me().messages().byMessageId(id).get();
        Message listed = basic.me().mailFolders().byMailFolderId("inbox").messages().get().getValue().get(0);
        ODataError denied = assertThrows(ODataError.class, () -> basic.me().messages().byMessageId(id).attachments().get());

        assertEquals("Invoice", m.getSubject());
        assertNull(m.getBody());
        assertNull(m.getBodyPreview());
        assertNull(listed.getBody());
        assertTrue(m.getHasAttachments());
        assertEquals(403, denied.getResponseStatusCode());
        assertEquals("ErrorAccessDenied", denied.getError().getCode());
    }

    @Test
    void whenAMessageHasAttachmentsThenTheListHasMetadataTheItemHasContentAndValueIsTheRawBytes() {
        byte[] pdf = "%PDF-1.7 fake".getBytes(StandardCharsets.US_ASCII);
        ObjectNode message = received("Invoice", "dana@fabrikam.example", "text", "attached");
        message.putArray("attachments").add(file("invoice.pdf", "application/pdf", pdf));
        String id = mail.deliver(ADELE, message);
        String token = bench.tokens.accessToken(adele, SyncBench.MAIL_READ);
        GraphServiceClient sdk = bench.sdk(NationalCloud.USGOV, token);

        List<Attachment> list = sdk.me().messages().byMessageId(id).attachments().get().getValue();
        FileAttachment item = (FileAttachment) sdk.me().messages().byMessageId(id).attachments().byAttachmentId(list.get(0).getId()).get();

        assertEquals(1, list.size());
        assertEquals("invoice.pdf", list.get(0).getName());
        assertEquals(pdf.length, list.get(0).getSize());
        assertNull(((FileAttachment) list.get(0)).getContentBytes(), "the fake lists metadata only");
        assertArrayEquals(pdf, item.getContentBytes());
        try (Response raw = bench.get("https://graph.microsoft.us/v1.0/me/messages/" + id + "/attachments/" + item.getId() + "/$value",
                token, Map.of())) {
            assertEquals(200, raw.code());
            assertEquals("application/pdf", raw.header("Content-Type"));
            assertArrayEquals(pdf, raw.body().bytes());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void whenAMessageMovesThenItsDefaultIdChangesAndTheOldOneIsGoneButItsImmutableIdStays() {
        String id = mail.deliver(ADELE, received("Keep", "dana@fabrikam.example", "text", "x"));
        GraphServiceClient sdk = bench.sdk(adele, SyncBench.MAIL_READ);
        String immutable = sdk.me().messages().byMessageId(id).get(rc -> rc.headers.add("Prefer", "IdType=\"ImmutableId\"")).getId();

        String moved = mail.move(ADELE, id, "archive");

        assertNotEquals(id, immutable);
        assertTrue(immutable.startsWith("AAkALg"), immutable);
        assertNotEquals(id, moved);
        assertEquals(404, assertThrows(ODataError.class, () -> sdk.me().messages().byMessageId(id).get()).getResponseStatusCode());
        Message byNewId = sdk.me().messages().byMessageId(moved).get();
        assertEquals(mail.folderId(ADELE, "archive"), byNewId.getParentFolderId());
        Message byImmutable = sdk.me().messages().byMessageId(immutable).get(rc -> rc.headers.add("Prefer", "IdType=\"ImmutableId\""));
        assertEquals(immutable, byImmutable.getId());
        assertEquals(moved, sdk.me().messages().byMessageId(immutable).get().getId(), "without the header the answer has the default id");
        assertEquals(immutable, sdk.me().mailFolders().byMailFolderId("archive").messages()
                .get(rc -> rc.headers.add("Prefer", "IdType=\"ImmutableId\"")).getValue().get(0).getId());
    }

    @Test
    void whenImmutableIdsAreSwitchedOffForACloudThenThePreferHeaderIsIgnored() {
        graph.setSyncSupport(NationalCloud.USGOV, SyncCloudSupport.DOCUMENTED.get(NationalCloud.USGOV).withImmutableIds(false));
        String id = mail.deliver(ADELE, received("Keep", "dana@fabrikam.example", "text", "x"));
        GraphServiceClient sdk = bench.sdk(adele, SyncBench.MAIL_READ);

        assertEquals(id, sdk.me().messages().byMessageId(id).get(rc -> rc.headers.add("Prefer", "IdType=\"ImmutableId\"")).getId());
    }

    @Test
    void whenADraftIsSentThenItMovesToSentItemsAndTheRecipientOfThisFakeFindsItInItsInbox() {
        mail.addMailbox(MEGAN);
        GraphServiceClient sdk = bench.sdk(adele, SyncBench.MAIL);
        Message draft = sdk.me().messages().post(outgoing("Quarterly report", MEGAN));
        String draftImmutable = mail.immutableId(ADELE, draft.getId());
        assertEquals(1, mail.messages(ADELE, "drafts").size());

        sdk.me().messages().byMessageId(draft.getId()).send().post();
        SendMailPostRequestBody direct = new SendMailPostRequestBody();
        direct.setMessage(outgoing("Not kept", MEGAN));
        direct.setSaveToSentItems(false);
        sdk.me().sendMail().post(direct);

        assertEquals(List.of(), mail.messages(ADELE, "drafts"));
        List<JsonNode> sent = mail.messages(ADELE, "sentitems");
        assertEquals(1, sent.size(), "saveToSentItems false keeps no copy");
        assertEquals("Quarterly report", sent.get(0).path("subject").asText());
        assertFalse(sent.get(0).path("isDraft").asBoolean(true));
        assertEquals(draftImmutable, mail.immutableId(ADELE, sent.get(0).path("id").asText()), "sending moves the draft");
        assertNotEquals(draft.getId(), sent.get(0).path("id").asText());
        List<JsonNode> inbox = mail.messages(MEGAN, "inbox");
        assertEquals(List.of("Quarterly report", "Not kept"), inbox.stream().map(m -> m.path("subject").asText()).toList());
        assertFalse(inbox.get(0).path("isRead").asBoolean(true));
        assertEquals(ADELE, inbox.get(0).at("/from/emailAddress/address").asText());
        assertEquals(sent.get(0).path("internetMessageId").asText(), inbox.get(0).path("internetMessageId").asText());
    }

    @Test
    void whenTheTestApiReadsUpdatesAndDeletesThenChangeKeysAndFoldersFollow() {
        String id = mail.deliver(ADELE, received("Subject", "dana@fabrikam.example", "text", "x"));
        String key = mail.messages(ADELE, "inbox").get(0).path("changeKey").asText();

        mail.markRead(ADELE, id, true);
        JsonNode read = mail.messages(ADELE, "inbox").get(0);
        mail.update(ADELE, id, "Renamed");
        JsonNode renamed = mail.messages(ADELE, "inbox").get(0);
        String inDeleted = mail.delete(ADELE, id);
        String gone = mail.delete(ADELE, inDeleted);

        assertTrue(read.path("isRead").asBoolean());
        assertNotEquals(key, read.path("changeKey").asText());
        assertEquals("Renamed", renamed.path("subject").asText());
        assertNotEquals(read.path("changeKey").asText(), renamed.path("changeKey").asText());
        assertNull(gone, "deleting from Deleted Items removes it");
        assertEquals(List.of(), mail.messages(ADELE, "deleteditems"));
        assertThrows(IllegalArgumentException.class, () -> mail.hardDelete(ADELE, id));
    }

    @Test
    void whenMailFoldersAreListedThenTheWellKnownOnesHaveOpaqueIdsAndCounts() {
        mail.deliver(ADELE, received("Unread", "dana@fabrikam.example", "text", "x"));
        GraphServiceClient sdk = bench.sdk(adele, SyncBench.MAIL_READ);

        var folders = sdk.me().mailFolders().get().getValue();
        var inbox = sdk.me().mailFolders().byMailFolderId("inbox").get();

        assertEquals(List.of("Inbox", "Sent Items", "Drafts", "Deleted Items", "Archive"),
                folders.stream().map(f -> f.getDisplayName()).toList());
        assertEquals(mail.folderId(ADELE, "inbox"), inbox.getId());
        assertTrue(inbox.getId().startsWith("AQMkAD"), inbox.getId());
        assertEquals(1, inbox.getUnreadItemCount());
        assertEquals(inbox.getId(), sdk.me().mailFolders().byMailFolderId(inbox.getId()).get().getId(), "ids work as well as names");
    }

    @Test
    void whenAPermissionIsMissingThenReadsAnswer403AccessDenied() {
        GraphServiceClient calendarOnly = bench.sdk(adele, Set.of("Calendars.Read"));

        ODataError denied = assertThrows(ODataError.class, () -> calendarOnly.me().mailFolders().byMailFolderId("inbox").messages().get());

        assertEquals(403, denied.getResponseStatusCode());
        assertEquals("ErrorAccessDenied", denied.getError().getCode());
    }

    // ------------------------------------------------------------------ helpers

    static ObjectNode received(String subject, String from, String contentType, String content) {
        ObjectNode m = GraphJson.object();
        m.put("subject", subject);
        m.set("from", GraphJson.recipient(from, null));
        m.putObject("body").put("contentType", contentType).put("content", content);
        return m;
    }

    static ObjectNode file(String name, String contentType, byte[] content) {
        ObjectNode a = GraphJson.object();
        a.put("name", name);
        a.put("contentType", contentType);
        a.put("contentBytes", Base64.getEncoder().encodeToString(content));
        return a;
    }

    static Message outgoing(String subject, String to) {
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
}
