package io.m365connector.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/API.md, "What text is accepted": request JSON at most 32 levels deep, 20,000 tokens (values, names and
 * brackets) and 256-character names; one byte over each is a 400 naming why, at the limit it is read.
 */
class JsonRequestLimitsTest {
    @Test
    void whenNestingIsThirtyTwoLevelsThenItIsReadAndThirtyThreeIsRefused() {
        assertEquals(32, depth(Json.parseRequest(nested(32))));

        assertRefused(nested(33), "The body is nested more than 32 levels deep.");
    }

    @Test
    void whenTheBodyHasTwentyThousandTokensThenItIsReadAndOneMoreIsRefused() {
        // [ + 19,998 numbers + ] = 20,000 tokens
        assertEquals(19_998, Json.parseRequest(array(19_998)).size());

        assertRefused(array(19_999), "The body has more than 20,000 JSON tokens (values, field names and brackets).");
    }

    @Test
    void whenANameHasTwoHundredFiftySixCharactersThenItIsReadAndOneMoreIsRefused() {
        String name = "n".repeat(256);
        assertEquals(1, Json.parseRequest("{\"" + name + "\":1}").get(name).asInt());

        assertRefused("{\"" + name + "n\":1}", "A field name is longer than 256 characters.");
    }

    @Test
    void whenANumberHasMoreThanAThousandDigitsThenTheAnswerSaysSo() {
        assertRefused("{\"reminderMinutesBeforeStart\":" + "9".repeat(1001) + "}", "A number in the body has more digits than any field takes.");
    }

    /** Bodies over 32,768 characters are read from one buffer (Json.parseRequest): the same answers as short ones. */
    @Test
    void whenABodyIsLongerThanJacksonsStringBufferThenItIsReadAndRefusedExactlyLikeAShortOne() {
        String base64 = "QUJD".repeat(250_000);
        String lone = "\uD800";
        JsonNode read = Json.parseRequest("{\"contentBase64\":\"" + base64 + "\",\"name\":\"a" + lone + "\"}");
        assertEquals(base64, read.get("contentBase64").asText());
        assertEquals("a" + lone, read.get("name").asText(), "a lone surrogate reaches the Unicode check unchanged");

        assertRefused("{\"a\":\"" + base64 + "\"} {}", "The body has content after its JSON object; send one JSON object.");
        assertRefused("{\"a\":\"" + base64 + "\",\"a\":1}", "The body names a field twice: 'a'.");
        assertRefused("{\"a\":\"" + base64 + "\"", "The body is not valid JSON.");
        assertTrue(Json.parseRequest("").isMissingNode(), "an empty body is no JSON value (the callers answer 'must be a JSON object')");
        assertTrue(Json.parseRequest(null).isMissingNode());
    }

    private static void assertRefused(String body, String message) {
        RequestValidationException e = assertThrows(RequestValidationException.class, () -> Json.parseRequest(body));
        assertEquals(List.of(message), e.errors().stream().map(RequestValidationException.FieldError::message).toList());
        assertEquals(message, e.detail(), "the problem's detail is the message, without an empty field name before it");
    }

    private static String nested(int levels) {
        return "[".repeat(levels) + "]".repeat(levels);
    }

    private static int depth(JsonNode node) {
        return node.isArray() ? 1 + (node.isEmpty() ? 0 : depth(node.get(0))) : 0;
    }

    private static String array(int values) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < values; i++) {
            json.append(i == 0 ? "" : ",").append(i % 10);
        }
        return json.append(']').toString();
    }
}
