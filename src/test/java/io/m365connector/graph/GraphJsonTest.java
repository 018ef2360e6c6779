package io.m365connector.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.graph.models.Attendee;
import com.microsoft.graph.models.AttendeeType;
import com.microsoft.graph.models.BodyType;
import com.microsoft.graph.models.DateTimeTimeZone;
import com.microsoft.graph.models.EmailAddress;
import com.microsoft.graph.models.Event;
import com.microsoft.graph.models.FileAttachment;
import com.microsoft.graph.models.Importance;
import com.microsoft.graph.models.ItemBody;
import com.microsoft.graph.models.Message;
import com.microsoft.graph.models.Recipient;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.users.item.mailfolders.item.messages.delta.DeltaGetResponse;
import com.microsoft.kiota.serialization.JsonParseNodeFactory;
import com.microsoft.kiota.serialization.JsonSerializationWriter;
import com.microsoft.kiota.serialization.Parsable;
import com.microsoft.kiota.serialization.ParsableFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Graph SDK's JSON (Kiota's JsonSerializationWriter and JsonParseNode over Gson, the pair its request adapter uses) for the shapes the app sends and reads, without the rest of the app:
 * {@code WorkerClassPathIT} runs it first on the Functions worker's Gson, so an incompatible Gson fails here, in
 * seconds and with the Gson error in the report, before the end-to-end tests run.
 */
class GraphJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void whenAMessageWithAnAttachmentIsWrittenThenGraphGetsItsFields() throws Exception {
        Message message = new Message();
        message.setSubject("Quarterly \"numbers\" – ünïcode");
        ItemBody body = new ItemBody();
        body.setContentType(BodyType.Html);
        body.setContent("<p>Hi</p>");
        message.setBody(body);
        message.setImportance(Importance.High);
        message.setToRecipients(List.of(recipient("ada@contoso.com")));
        FileAttachment attachment = new FileAttachment();
        attachment.setName("a.txt");
        attachment.setContentBytes("hello".getBytes(StandardCharsets.UTF_8));
        message.setAttachments(List.of(attachment));

        JsonNode written = written(message);

        assertEquals("Quarterly \"numbers\" – ünïcode", written.get("subject").asText());
        assertEquals("html", written.get("body").get("contentType").asText());
        assertEquals("high", written.get("importance").asText());
        assertEquals("ada@contoso.com", written.get("toRecipients").get(0).get("emailAddress").get("address").asText());
        assertEquals("#microsoft.graph.fileAttachment", written.get("attachments").get(0).get("@odata.type").asText());
        assertEquals("aGVsbG8=", written.get("attachments").get(0).get("contentBytes").asText());
    }

    @Test
    void whenAnEventIsWrittenThenItsTimesAttendeesAndTransactionIdAreThere() throws Exception {
        Event event = new Event();
        event.setSubject("Interview");
        event.setTransactionId("7f0c-key");
        event.setStart(time("2030-01-07T09:00:00", "Europe/Berlin"));
        event.setEnd(time("2030-01-07T10:00:00", "Europe/Berlin"));
        Attendee attendee = new Attendee();
        attendee.setEmailAddress(address("grace@contoso.com"));
        attendee.setType(AttendeeType.Required);
        event.setAttendees(List.of(attendee));
        event.setIsOnlineMeeting(true);

        JsonNode written = written(event);

        assertEquals("7f0c-key", written.get("transactionId").asText());
        assertEquals("2030-01-07T09:00:00", written.get("start").get("dateTime").asText());
        assertEquals("Europe/Berlin", written.get("end").get("timeZone").asText());
        assertEquals("required", written.get("attendees").get(0).get("type").asText());
        assertTrue(written.get("isOnlineMeeting").asBoolean());
    }

    @Test
    void whenADeltaPageIsReadThenItemsRemovedEntriesAndTheDeltaLinkComeThrough() throws Exception {
        String page = """
                {"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#Collection(message)",
                 "@odata.deltaLink":"https://graph.microsoft.com/v1.0/me/mailFolders('inbox')/messages/delta?$deltatoken=abc",
                 "value":[
                  {"@odata.type":"#microsoft.graph.message","@odata.etag":"W/\\"CQAAAA==\\"","id":"AAMk1","changeKey":"CQAAAA==",
                   "subject":"Hello","receivedDateTime":"2030-01-07T08:59:58Z","hasAttachments":true,"isRead":false,
                   "from":{"emailAddress":{"name":"Ada","address":"ada@contoso.com"}},"importance":"normal",
                   "body":{"contentType":"text","content":"hi"},"categories":[],"flag":{"flagStatus":"notFlagged"}},
                  {"id":"AAMk2","@removed":{"reason":"deleted"}}]}""";

        DeltaGetResponse read = read(page, DeltaGetResponse::createFromDiscriminatorValue);

        assertTrue(read.getOdataDeltaLink().endsWith("$deltatoken=abc"));
        assertNull(read.getOdataNextLink());
        Message first = read.getValue().get(0);
        assertEquals("Hello", first.getSubject());
        assertEquals(OffsetDateTime.parse("2030-01-07T08:59:58Z"), first.getReceivedDateTime());
        assertEquals("ada@contoso.com", first.getFrom().getEmailAddress().getAddress());
        assertTrue(first.getHasAttachments());
        assertEquals("AAMk2", read.getValue().get(1).getId());
        assertTrue(read.getValue().get(1).getAdditionalData().containsKey("@removed"));
    }

    @Test
    void whenGraphAnswersAnErrorThenItsCodeAndMessageAreRead() throws Exception {
        String error = """
                {"error":{"code":"ErrorItemNotFound","message":"The specified object was not found in the store.",
                 "innerError":{"date":"2030-01-07T09:00:00","request-id":"a1b2","client-request-id":"c3d4"}}}""";

        ODataError read = read(error, ODataError::createFromDiscriminatorValue);

        assertEquals("ErrorItemNotFound", read.getError().getCode());
        assertEquals("The specified object was not found in the store.", read.getError().getMessage());
    }

    private static JsonNode written(Parsable value) throws IOException {
        try (JsonSerializationWriter writer = new JsonSerializationWriter()) {
            writer.writeObjectValue(null, value);
            try (InputStream content = writer.getSerializedContent()) {
                return JSON.readTree(content.readAllBytes());
            }
        }
    }

    private static <T extends Parsable> T read(String json, ParsableFactory<T> factory) {
        return new JsonParseNodeFactory().getParseNode("application/json",
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))).getObjectValue(factory);
    }

    private static Recipient recipient(String address) {
        Recipient recipient = new Recipient();
        recipient.setEmailAddress(address(address));
        return recipient;
    }

    private static EmailAddress address(String address) {
        EmailAddress email = new EmailAddress();
        email.setAddress(address);
        return email;
    }

    private static DateTimeTimeZone time(String dateTime, String zone) {
        DateTimeTimeZone time = new DateTimeTimeZone();
        time.setDateTime(dateTime);
        time.setTimeZone(zone);
        return time;
    }
}
