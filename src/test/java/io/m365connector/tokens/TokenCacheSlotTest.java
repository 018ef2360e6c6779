package io.m365connector.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365connector.platform.Json;
import org.junit.jupiter.api.Test;

/** What of MSAL's cache is stored (TokenBrokerTest drives the same with real MSAL4J and a 70 KB ID token). */
class TokenCacheSlotTest {
    private static final String CACHE = """
            {"AccessToken":{"live":{"secret":"at-live","expires_on":"2000","target":"Mail.Send"},
                            "expired":{"secret":"at-old","expires_on":"1500","target":"Calendars.ReadWrite"}},
             "RefreshToken":{"rt":{"secret":"rt-1"}},
             "IdToken":{"id":{"secret":"header.claims.signature"}},
             "Account":{"acc":{"username":"user@contoso.com"}},
             "AppMetadata":{"meta":{"client_id":"client"}}}""";

    @Test
    void whenTheCacheIsStoredThenIdTokensAreLeftOutAndEverythingElseKept() throws Exception {
        JsonNode stored = Json.MAPPER.readTree(new TokenCacheSlot(CACHE).storable());
        JsonNode before = Json.MAPPER.readTree(CACHE);

        assertEquals(0, stored.get("IdToken").size());
        assertEquals(true, stored.get("IdToken").isObject(), "the section stays: MSAL reads each as a map");
        for (String kept : new String[] {"AccessToken", "RefreshToken", "Account", "AppMetadata"}) {
            assertEquals(before.get(kept), stored.get(kept), kept);
        }
    }

    @Test
    void whenTheCacheIsNotMsalsJsonOrEmptyThenItIsStoredAsItIs() {
        assertEquals("not json", new TokenCacheSlot("not json").storable());
        assertEquals("[1]", new TokenCacheSlot("[1]").storable());
        assertEquals("{\"AccessToken\": {}}", new TokenCacheSlot("{\"AccessToken\": {}}").storable(), "no ID token: unchanged");
        assertNull(TokenCacheSlot.empty().storable());
    }
}
