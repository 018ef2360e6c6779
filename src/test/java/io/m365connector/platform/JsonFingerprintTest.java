package io.m365connector.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** The fingerprint an Idempotency-Key is checked against: formatting and member order do not matter, content does. */
class JsonFingerprintTest {
    private static String of(String operation, String json) {
        return JsonFingerprint.of(operation, Json.parseRequest(json));
    }

    @Test
    void whenBodiesDifferOnlyInFormattingOrMemberOrderThenTheirFingerprintsAreEqual() {
        assertEquals(of("mail", "{\"a\":[1,{\"y\":2,\"x\":1}],\"b\":\"é\"}"), of("mail", " {\"b\" : \"\\u00e9\", \"a\": [1, {\"x\":1,\"y\":2}]}"));
    }

    @Test
    void whenContentOrOperationDiffersThenTheFingerprintsDiffer() {
        assertNotEquals(of("mail", "{\"a\":[1,2]}"), of("mail", "{\"a\":[2,1]}"));
        assertNotEquals(of("mail", "{\"a\":1}"), of("mail", "{\"a\":\"1\"}"));
        assertNotEquals(of("mail", "{}"), of("event", "{}"));
    }

    @Test
    void whenTheFingerprintIsWrittenThenItIsSha256Hex() {
        assertEquals(64, of("mail", "{}").length());
    }
}
