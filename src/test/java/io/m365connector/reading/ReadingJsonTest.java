package io.m365connector.reading;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.JsonParser;
import com.microsoft.graph.models.Attachment;
import com.microsoft.graph.models.AttachmentCollectionResponse;
import com.microsoft.graph.models.DateTimeTimeZone;
import com.microsoft.graph.models.Event;
import com.microsoft.graph.models.EventCollectionResponse;
import com.microsoft.graph.models.FileAttachment;
import com.microsoft.graph.models.Message;
import com.microsoft.graph.models.MessageCollectionResponse;
import com.microsoft.graph.models.Recipient;
import com.microsoft.kiota.serialization.JsonParseNode;
import io.m365connector.graph.GraphValues;
import io.m365connector.platform.Json;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The read API reads Graph's answers with Jackson (the SDK's models derive from {@code Entity}, which costs a cold start
 * ~1,100 class loads: GraphJsonRequests). Each answer must read as the SDK's models read it: compared here on answers
 * modelled on Learn's examples, with the variations the readers must take (missing and null properties, an answer
 * without a body type, unknown enum members, date-times without an offset). The SDK-model code is what the readers ran
 * until issue 24, kept here as the reference.
 */
class ReadingJsonTest {
    private static final String MESSAGES = "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users('x')/mailFolders('inbox')/messages\","
            + "\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/me/mailFolders/inbox/messages?$skip=2\",\"value\":["
            + "{\"@odata.etag\":\"W/\\\"CQAAABYAAAA\\\"\",\"id\":\"AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A=\",\"parentFolderId\":\"AQMkAD=\","
            + "\"receivedDateTime\":\"2026-12-01T09:30:12Z\",\"subject\":\"Offer ✓\",\"bodyPreview\":\"Hi, …\",\"isRead\":false,"
            + "\"hasAttachments\":true,\"internetMessageId\":\"<abc@contoso.com>\","
            + "\"from\":{\"emailAddress\":{\"name\":\"Bea Ünal\",\"address\":\"bea@contoso.com\"}},"
            + "\"toRecipients\":[{\"emailAddress\":{\"address\":\"a@contoso.com\"}},{\"emailAddress\":null},{\"emailAddress\":{\"name\":\"C\",\"address\":\"c@contoso.com\"}}]},"
            + "{\"id\":\"AAk2=\",\"receivedDateTime\":\"2026-12-01T09:30:12.1234567\",\"subject\":null,\"from\":null,\"toRecipients\":[]},"
            + "{\"id\":\"AAk3=\"}]}";

    private static final String MESSAGE = "{\"id\":\"AAk1=\",\"parentFolderId\":\"AQMkAD=\",\"receivedDateTime\":\"2026-12-01T09:30:12+01:00\","
            + "\"subject\":\"Offer\",\"isRead\":true,\"internetMessageId\":\"<abc@contoso.com>\",\"conversationId\":\"AAQkAD=\","
            + "\"body\":{\"contentType\":\"html\",\"content\":\"<p>Hi</p>\"},\"from\":{\"emailAddress\":{\"address\":\"bea@contoso.com\"}},"
            + "\"toRecipients\":[{\"emailAddress\":{\"address\":\"a@contoso.com\"}}],\"ccRecipients\":[{\"emailAddress\":{\"address\":\"c@contoso.com\",\"name\":\"C\"}}]}";

    private static final String ATTACHMENTS = "{\"value\":["
            + "{\"@odata.type\":\"#microsoft.graph.fileAttachment\",\"id\":\"AAMkAD1=\",\"name\":\"offer.pdf\",\"contentType\":\"application/pdf\",\"size\":1024,\"isInline\":false},"
            + "{\"@odata.type\":\"#microsoft.graph.itemAttachment\",\"id\":\"AAMkAD2=\",\"name\":\"Fwd\",\"contentType\":null,\"size\":2048,\"isInline\":false},"
            + "{\"@odata.type\":\"#microsoft.graph.referenceAttachment\",\"id\":\"AAMkAD3=\",\"name\":\"link\",\"size\":0},"
            + "{\"id\":\"AAMkAD4=\",\"name\":\"no type\"}]}";

    private static final String EVENTS = "{\"value\":["
            + "{\"id\":\"AAMkE1=\",\"subject\":\"Interview\",\"start\":{\"dateTime\":\"2026-12-01T09:00:00.0000000\",\"timeZone\":\"Pacific Standard Time\"},"
            + "\"end\":{\"dateTime\":\"2026-12-01T10:00:00.0000000\",\"timeZone\":\"Pacific Standard Time\"},\"isAllDay\":false,"
            + "\"location\":{\"displayName\":\"Room 4\"},\"organizer\":{\"emailAddress\":{\"name\":\"Adele\",\"address\":\"adele@contoso.com\"}},"
            + "\"isOrganizer\":true,\"isCancelled\":false,\"showAs\":\"workingElsewhere\",\"type\":\"occurrence\",\"seriesMasterId\":\"AAMkS=\","
            + "\"onlineMeeting\":{\"joinUrl\":\"https://teams.microsoft.com/l/meetup-join/19%3a\"}},"
            + "{\"id\":\"AAMkE2=\",\"showAs\":\"someNewStatus\",\"type\":\"someNewType\",\"location\":null,\"onlineMeeting\":null,\"organizer\":{}},"
            + "{\"id\":\"AAMkE3=\",\"showAs\":\"oof\",\"type\":\"seriesMaster\",\"isAllDay\":true}]}";

    @Test
    void whenAMessageListIsReadThenEachMessageReadsAsTheGraphSdkReadIt() {
        MessageCollectionResponse sdk = parse(MESSAGES).getObjectValue(MessageCollectionResponse::createFromDiscriminatorValue);
        List<MessageSummary> expected = sdk.getValue().stream().map(ReadingJsonTest::summary).toList();
        List<MessageSummary> actual = GraphValues.list(json(MESSAGES), "value").stream().map(MessageSummary::of).toList();
        assertEquals(expected, actual);
        assertEquals(3, actual.size());
        assertEquals(2, actual.get(0).to().size(), "a recipient without an address object is left out");
    }

    @Test
    void whenAMessageAndItsAttachmentsAreReadThenTheyReadAsTheGraphSdkReadThem() {
        Message message = parse(MESSAGE).getObjectValue(Message::createFromDiscriminatorValue);
        AttachmentCollectionResponse attachments = parse(ATTACHMENTS).getObjectValue(AttachmentCollectionResponse::createFromDiscriminatorValue);
        MessageDetails expected = details("c1", message, attachments.getValue());
        MessageDetails actual = MessageDetails.of("c1", json(MESSAGE), GraphValues.list(json(ATTACHMENTS), "value"));
        assertEquals(expected, actual);
        assertEquals(List.of("file", "item", "reference"), actual.attachments().stream().map(MessageDetails.AttachmentInfo::kind)
                .filter(k -> k != null).toList());
        for (String body : List.of("{\"id\":\"x\",\"body\":{\"contentType\":\"text\",\"content\":\"t\"}}", "{\"id\":\"x\",\"body\":{\"content\":\"t\"}}",
                "{\"id\":\"x\",\"body\":null}", "{\"id\":\"x\"}")) {
            assertEquals(details("c1", parse(body).getObjectValue(Message::createFromDiscriminatorValue), List.of()),
                    MessageDetails.of("c1", json(body), List.of()), body);
        }
    }

    @Test
    void whenACalendarViewIsReadThenEachEventReadsAsTheGraphSdkReadIt() {
        EventCollectionResponse sdk = parse(EVENTS).getObjectValue(EventCollectionResponse::createFromDiscriminatorValue);
        List<EventSummary> expected = sdk.getValue().stream().map(ReadingJsonTest::event).toList();
        List<EventSummary> actual = GraphValues.list(json(EVENTS), "value").stream().map(e -> EventSummary.of(e, "UTC")).toList();
        assertEquals(expected, actual);
        assertEquals(List.of("workingElsewhere", "oof"), actual.stream().map(EventSummary::showAs).filter(s -> s != null).toList());
    }

    /** As production reads answers (GraphJsonRequests: Json.MAPPER). */
    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void whenAnAttachmentsBytesAreReadThenEmptyAndBase64ReadAsTheGraphSdkReadThem() {
        for (String answer : List.of("{\"@odata.type\":\"#microsoft.graph.fileAttachment\",\"contentBytes\":\"\"}",
                "{\"@odata.type\":\"#microsoft.graph.fileAttachment\",\"contentBytes\":\"JVBERi0xLjc=\"}",
                "{\"@odata.type\":\"#microsoft.graph.fileAttachment\",\"contentBytes\":null}")) {
            FileAttachment sdk = (FileAttachment) parse(answer).getObjectValue(Attachment::createFromDiscriminatorValue);
            assertArrayEquals(sdk.getContentBytes(), GraphValues.bytes(json(answer), "contentBytes"), answer);
        }
    }

    private static JsonParseNode parse(String json) {
        return new JsonParseNode(JsonParser.parseString(json));
    }

    // What the readers built from the SDK's models until issue 24 (the reference).

    private static MessageSummary.Address address(Recipient r) {
        return r == null || r.getEmailAddress() == null ? null
                : new MessageSummary.Address(r.getEmailAddress().getAddress(), r.getEmailAddress().getName());
    }

    private static List<MessageSummary.Address> addresses(List<Recipient> list) {
        return list == null ? List.of() : list.stream().map(ReadingJsonTest::address).filter(a -> a != null).toList();
    }

    private static MessageSummary summary(Message m) {
        return new MessageSummary(m.getId(), m.getParentFolderId(), m.getReceivedDateTime(), address(m.getFrom()),
                addresses(m.getToRecipients()), m.getSubject(), m.getBodyPreview(), m.getIsRead(), m.getHasAttachments(),
                m.getInternetMessageId());
    }

    private static MessageDetails.AttachmentInfo attachment(Attachment a) {
        String type = a.getOdataType() == null ? "" : a.getOdataType();
        String kind = type.endsWith("fileAttachment") ? "file" : type.endsWith("itemAttachment") ? "item"
                : type.endsWith("referenceAttachment") ? "reference" : null;
        return new MessageDetails.AttachmentInfo(a.getId(), a.getName(), a.getContentType(), a.getSize(), a.getIsInline(), kind);
    }

    private static MessageDetails details(String connectionId, Message m, List<Attachment> attachments) {
        MessageDetails.Body body = m.getBody() == null ? null : new MessageDetails.Body(m.getBody().getContentType() == null ? null
                : m.getBody().getContentType().getValue().toLowerCase(Locale.ROOT), m.getBody().getContent());
        return new MessageDetails(connectionId, m.getId(), m.getParentFolderId(), m.getReceivedDateTime(), address(m.getFrom()),
                addresses(m.getToRecipients()), addresses(m.getCcRecipients()), m.getSubject(), m.getIsRead(), m.getInternetMessageId(),
                m.getConversationId(), body, attachments.stream().map(ReadingJsonTest::attachment).toList());
    }

    private static EventSummary.Time time(DateTimeTimeZone t) {
        return t == null ? null : new EventSummary.Time(t.getDateTime(), t.getTimeZone());
    }

    private static EventSummary event(Event e) {
        return new EventSummary(e.getId(), e.getSubject(), time(e.getStart()), time(e.getEnd()), e.getIsAllDay(),
                e.getLocation() == null ? null : e.getLocation().getDisplayName(), address(e.getOrganizer()),
                e.getIsOrganizer(), e.getIsCancelled(), e.getShowAs() == null ? null : lowerFirst(e.getShowAs().getValue()),
                e.getType() == null ? null : e.getType().getValue(), e.getSeriesMasterId(),
                e.getOnlineMeeting() == null ? null : e.getOnlineMeeting().getJoinUrl());
    }

    private static String lowerFirst(String value) {
        return value.isEmpty() ? value : value.substring(0, 1).toLowerCase(Locale.ROOT) + value.substring(1);
    }
}
