package io.m365connector.actions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365connector.outlook.EmailAddresses;
import io.m365connector.platform.Json;
import io.m365connector.platform.RequestValidationException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MailRequestTest {
    @Test
    void whenMailIsCompleteThenEveryFieldIsRead() {
        String pdf = Base64.getEncoder().encodeToString("%PDF-1.7".getBytes(StandardCharsets.US_ASCII));
        MailRequest r = MailRequest.parse("{\"to\":[\"a@contoso.com\",{\"address\":\"b@contoso.com\",\"name\":\"Bea\"}],"
                + "\"cc\":[\"c@contoso.com\"],\"bcc\":[\"d@contoso.com\"],\"replyTo\":[\"r@contoso.com\"],\"subject\":\"Offer\","
                + "\"body\":{\"contentType\":\"HTML\",\"content\":\"<p>Hi</p>\"},\"importance\":\"High\","
                + "\"attachments\":[{\"name\":\"offer.pdf\",\"contentType\":\"application/pdf\",\"contentBase64\":\"" + pdf + "\"}],"
                + "\"saveToSentItems\":false,\"from\":\"jobs@contoso.com\"}");
        assertEquals(2, r.to().size());
        assertEquals("Bea", r.to().get(1).name());
        assertEquals("html", r.bodyContentType());
        assertEquals("high", r.importance());
        assertArrayEquals("%PDF-1.7".getBytes(StandardCharsets.US_ASCII), r.attachments().get(0).content().toArray());
        assertEquals(false, r.saveToSentItems());
        assertEquals("jobs@contoso.com", r.from());
    }

    @Test
    void whenBodyIsAPlainStringThenItIsText() {
        MailRequest r = MailRequest.parse("{\"to\":[\"a@contoso.com\"],\"subject\":\"s\",\"body\":\"line 1\\nline 2\"}");
        assertEquals("text", r.bodyContentType());
        assertEquals("line 1\nline 2", r.body());
        assertEquals(true, r.saveToSentItems());
        assertNull(r.from());
    }

    @Test
    void whenManyThingsAreWrongThenEveryFieldErrorIsListedAtOnce() {
        RequestValidationException e = assertThrows(RequestValidationException.class, () -> MailRequest.parse(
                "{\"to\":[\"not-an-address\",{\"address\":\"x@y\"}],\"cc\":\"a@b.com\",\"subject\":\"Hi\\r\\nBcc: evil@x.com\","
                        + "\"importance\":\"urgent\",\"attachments\":[{\"name\":\"../x\",\"contentBase64\":\"@@@\"}],\"colour\":1}"));
        Map<String, String> byField = e.errors().stream().collect(Collectors.toMap(
                RequestValidationException.FieldError::field, RequestValidationException.FieldError::message, (a, b) -> a));
        assertTrue(byField.containsKey("to[0]"), byField.toString());
        assertTrue(byField.containsKey("to[1].address"), byField.toString());
        assertTrue(byField.containsKey("cc"), byField.toString());
        assertTrue(byField.get("subject").contains("Control characters"), byField.toString());
        assertTrue(byField.containsKey("importance"));
        assertTrue(byField.containsKey("attachments[0].name"));
        assertTrue(byField.get("attachments[0].contentBase64").contains("base64"));
        assertTrue(byField.containsKey("colour"));
    }

    /** The base64 is not read by the text rules (BENCHMARKS.md): the decoder must refuse what they would have. */
    @ParameterizedTest
    @ValueSource(strings = {"JVBE\\u0007RGLTEu", "JVBE\\u202ERGLTEu", "JVBE\\u2028RGLTEu", "JVBERi0xLjc=\\n", "JVBE RGLTEu"})
    void whenAnAttachmentsBase64HoldsAnythingButTheAlphabetThenItIsRefused(String base64) {
        RequestValidationException e = assertThrows(RequestValidationException.class, () -> MailRequest.parse(
                "{\"to\":[\"a@contoso.com\"],\"subject\":\"s\",\"attachments\":[{\"name\":\"a.pdf\",\"contentBase64\":\"" + base64 + "\"}]}"));
        assertEquals(List.of("attachments[0].contentBase64"), e.errors().stream().map(RequestValidationException.FieldError::field).toList());
        assertTrue(e.errors().get(0).message().contains("not valid base64"), e.errors().toString());
    }

    @Test
    void whenAnAttachmentsBase64IsNotAStringThenItIsRefused() {
        RequestValidationException e = assertThrows(RequestValidationException.class, () -> MailRequest.parse(
                "{\"to\":[\"a@contoso.com\"],\"subject\":\"s\",\"attachments\":[{\"name\":\"a.pdf\",\"contentBase64\":[1]}]}"));
        assertEquals("Must be a string.", e.errors().get(0).message(), e.errors().toString());
    }

    @Test
    void whenThereIsNoRecipientThenToIsRequired() {
        RequestValidationException e = assertThrows(RequestValidationException.class,
                () -> MailRequest.parse("{\"subject\":\"s\",\"body\":\"b\"}"));
        assertEquals("to", e.errors().get(0).field());
    }

    @Test
    void whenThereAreTooManyRecipientsThenTheLimitIsNamed() {
        StringBuilder to = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            to.append(i == 0 ? "" : ",").append("\"u").append(i).append("@contoso.com\"");
        }
        RequestValidationException e = assertThrows(RequestValidationException.class,
                () -> MailRequest.parse("{\"to\":[" + to + "],\"cc\":[" + to + "],\"subject\":\"s\"}"));
        assertTrue(e.errors().get(0).message().contains("At most 500 recipients"));
    }

    @Test
    void whenAttachmentsExceedTheMessageLimitThenTheyAreRefused() {
        String big = Base64.getEncoder().encodeToString(new byte[20 * 1024 * 1024]);
        RequestValidationException e = assertThrows(RequestValidationException.class, () -> MailRequest.parse(
                "{\"to\":[\"a@contoso.com\"],\"subject\":\"s\",\"attachments\":[{\"name\":\"a.bin\",\"contentBase64\":\"" + big
                        + "\"},{\"name\":\"b.bin\",\"contentBase64\":\"" + big + "\"}]}"));
        assertTrue(e.errors().get(0).message().contains("35 MiB"), e.errors().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a@contoso.com", "first.last+tag@sub.contoso.co.uk", "\"quoted local\"@contoso.com",
        "user@[192.168.0.1]", "jürgen@müller.de", "o'brien@contoso.ie"})
    void whenAddressIsValidThenItPasses(String address) {
        assertNull(EmailAddresses.problem(address), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "@contoso.com", "a@", "a@b", "a..b@contoso.com", "a@contoso..com", "a b@contoso.com",
        "a@contoso.com\r\nBcc: x@y.com", "a@-contoso.com", "a@contoso.com\u2028"})
    void whenAddressIsInvalidThenItIsRefused(String address) {
        assertTrue(EmailAddresses.problem(address) != null, address);
    }

    /**
     * docs/API.md's mail limits, at the limit (read) and one over (refused, the field named; recipients of to, cc and bcc
     * count together, reported on {@code to}).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"to,500,to", "cc,500,to", "replyTo,10,replyTo", "subject,255,subject", "body,4194304,body", "attachments,100,attachments"})
    void whenAFieldIsAtItsDocumentedLimitThenItIsReadAndOneMoreIsRefused(String field, int limit, String reported) {
        MailRequest.parse(withMailField(field, limit));

        RequestValidationException e = assertThrows(RequestValidationException.class, () -> MailRequest.parse(withMailField(field, limit + 1)));

        assertEquals(List.of(reported), e.errors().stream().map(RequestValidationException.FieldError::field).distinct().toList(),
                e.errors().toString());
    }

    private static String withMailField(String field, int size) {
        ObjectNode mail = Json.MAPPER.createObjectNode().put("subject", "s");
        if (!field.equals("to")) {
            mail.putArray("to").add("first@contoso.com");
        }
        switch (field) {
            case "to", "cc", "replyTo" -> {
                ArrayNode addresses = mail.putArray(field);
                for (int i = field.equals("cc") ? 1 : 0; i < size; i++) { // cc: with the one in to, the 500 are together
                    addresses.add("r" + i + "@contoso.com");
                }
            }
            case "attachments" -> {
                ArrayNode attachments = mail.putArray(field);
                for (int i = 0; i < size; i++) {
                    attachments.addObject().put("name", "a" + i + ".txt").put("contentBase64", "aGk=");
                }
            }
            default -> mail.put(field, "x".repeat(size));
        }
        return mail.toString();
    }
}
