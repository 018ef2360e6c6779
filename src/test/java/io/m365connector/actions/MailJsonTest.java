package io.m365connector.actions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.graph.models.Attachment;
import com.microsoft.graph.models.BodyType;
import com.microsoft.graph.models.EmailAddress;
import com.microsoft.graph.models.FileAttachment;
import com.microsoft.graph.models.Importance;
import com.microsoft.graph.models.ItemBody;
import com.microsoft.graph.models.Message;
import com.microsoft.graph.models.Recipient;
import com.microsoft.graph.models.SingleValueLegacyExtendedProperty;
import com.microsoft.graph.users.item.sendmail.SendMailPostRequestBody;
import com.microsoft.kiota.serialization.JsonSerializationWriter;
import com.microsoft.kiota.serialization.Parsable;
import io.m365connector.outlook.MailRecipient;
import io.m365connector.platform.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The mail path writes its Graph request bodies itself (the SDK's models extend {@code Entity}, whose class
 * alone makes the JVM's verifier load ~1,100 model classes on a cold start: BENCHMARKS.md, issue 24). Each
 * body must be the one the Graph SDK's own model would have sent: compared here, as JSON trees, with the
 * SDK's serialization of the equivalent {@link Message}, for requests that use every field.
 */
class MailJsonTest {
    private static final String PDF = Base64.getEncoder().encodeToString("%PDF-1.7 ünïcödé".getBytes(StandardCharsets.UTF_8));

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"to\":[\"a@contoso.com\"],\"subject\":\"s\",\"body\":\"plain\"}",
        "{\"to\":[\"a@contoso.com\",{\"address\":\"b@contoso.com\",\"name\":\"Bea \\\"B\\\" Ünal\"}],"
                + "\"cc\":[\"c@contoso.com\"],\"bcc\":[\"d@contoso.com\"],\"replyTo\":[\"r@contoso.com\"],\"subject\":\"Offer ✓\","
                + "\"body\":{\"contentType\":\"HTML\",\"content\":\"<p>Hi</p>\"},\"importance\":\"High\","
                + "\"attachments\":[{\"name\":\"offer.pdf\",\"contentType\":\"application/pdf\",\"contentBase64\":\"" + "PDFB64" + "\"},"
                + "{\"name\":\"logo.png\",\"contentType\":\"image/png\",\"contentBase64\":\"" + "PDFB64" + "\",\"inline\":true,\"contentId\":\"logo\"}],"
                + "\"from\":\"jobs@contoso.com\"}",
        "{\"to\":[\"a@contoso.com\"],\"subject\":\"s\",\"body\":\"x\",\"importance\":\"low\",\"saveToSentItems\":false}"})
    void whenTheMailPathWritesItsBodiesThenEachIsWhatTheGraphSdkModelWouldSend(String json) throws Exception {
        MailRequest request = MailRequest.parse(json.replace("PDFB64", PDF));
        assertSame(sdk(message(request, "marker-1")), MailMessages.message(request, "marker-1"));
        assertSame(sdk(message(request, null)), MailMessages.message(request, null));
        for (MailRequest.Attachment a : request.attachments()) {
            assertSame(sdk(fileAttachment(a)), MailMessages.fileAttachment(a));
        }
        SendMailPostRequestBody body = new SendMailPostRequestBody();
        body.setMessage(message(request, null));
        body.setSaveToSentItems(false);
        assertSame(sdk(body), MailMessages.sendMail(request, null));
        SendMailPostRequestBody kept = new SendMailPostRequestBody();
        kept.setMessage(message(request, "marker-1"));
        kept.setSaveToSentItems(true);
        assertSame(sdk(kept), MailMessages.sendMail(request, "marker-1"));
    }

    private static void assertSame(String sdk, byte[] ours) throws Exception {
        JsonNode expected = Json.MAPPER.readTree(sdk);
        JsonNode actual = Json.MAPPER.readTree(ours);
        assertEquals(expected, actual, "the SDK's body, then ours:\n" + expected + "\n" + actual);
    }

    private static String sdk(Parsable model) throws Exception {
        JsonSerializationWriter writer = new JsonSerializationWriter(); // what the SDK's adapter uses for application/json
        writer.writeObjectValue(null, model);
        return new String(writer.getSerializedContent().readAllBytes(), StandardCharsets.UTF_8);
    }

    // What MailMessages built with the SDK's models until issue 24 (kept here as the reference).

    private static Message message(MailRequest request, String marker) {
        Message m = new Message();
        m.setSubject(request.subject());
        ItemBody body = new ItemBody();
        body.setContentType("html".equals(request.bodyContentType()) ? BodyType.Html : BodyType.Text);
        body.setContent(request.body());
        m.setBody(body);
        m.setToRecipients(recipients(request.to()));
        m.setCcRecipients(recipients(request.cc()));
        m.setBccRecipients(recipients(request.bcc()));
        if (!request.replyTo().isEmpty()) {
            m.setReplyTo(recipients(request.replyTo()));
        }
        m.setImportance(switch (request.importance()) {
            case "low" -> Importance.Low;
            case "high" -> Importance.High;
            default -> Importance.Normal;
        });
        if (request.from() != null) {
            m.setFrom(recipient(new MailRecipient(request.from(), null)));
        }
        List<Attachment> attachments = new ArrayList<>();
        MailMessages.inlineAttachments(request).forEach(a -> attachments.add(fileAttachment(a)));
        if (!attachments.isEmpty()) {
            m.setAttachments(attachments);
        }
        if (marker != null) {
            SingleValueLegacyExtendedProperty property = new SingleValueLegacyExtendedProperty();
            property.setId(MailMessages.MARKER_PROPERTY);
            property.setValue(marker);
            m.setSingleValueExtendedProperties(List.of(property));
        }
        return m;
    }

    private static FileAttachment fileAttachment(MailRequest.Attachment a) {
        FileAttachment file = new FileAttachment();
        file.setOdataType("#microsoft.graph.fileAttachment");
        file.setName(a.name());
        file.setContentType(a.contentType());
        file.setContentBytes(a.content().toArray());
        file.setIsInline(a.inline());
        if (a.contentId() != null) {
            file.setContentId(a.contentId());
        }
        return file;
    }

    private static List<Recipient> recipients(List<MailRecipient> list) {
        List<Recipient> result = new ArrayList<>();
        list.forEach(r -> result.add(recipient(r)));
        return result;
    }

    private static Recipient recipient(MailRecipient r) {
        EmailAddress address = new EmailAddress();
        address.setAddress(r.address());
        if (r.name() != null) {
            address.setName(r.name());
        }
        Recipient recipient = new Recipient();
        recipient.setEmailAddress(address);
        return recipient;
    }
}
