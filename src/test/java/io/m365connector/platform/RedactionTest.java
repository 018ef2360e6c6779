package io.m365connector.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedactionTest {
    @ParameterizedTest
    @CsvSource({
        "Authorization,     REDACTED",
        "X-IDENTITY-HEADER, REDACTED",
        "secret,            REDACTED",
        "x-functions-key,   REDACTED",
        "User-Agent,        kept"
    })
    void whenAHeaderIsLoggedThenCredentialsOfEveryKindAreRedacted(String name, String expected) {
        assertEquals(expected, Redaction.headerValue(name, "kept"));
    }
}
