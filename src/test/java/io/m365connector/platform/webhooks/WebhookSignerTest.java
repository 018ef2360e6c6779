package io.m365connector.platform.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365connector.testing.StandardWebhooks;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Standard Webhooks signature: the specification's example, and what a receiver checks. */
class WebhookSignerTest {
    /** The example of the Standard Webhooks specification and its reference libraries' tests. */
    private static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @Test
    void whenTheSpecificationsExampleIsSignedThenTheSignatureIsTheSpecifications() {
        WebhookSigner signer = new WebhookSigner(WebhookSecret.parse(SPEC_SECRET));

        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                signer.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L, "{\"test\": 2432232314}"));
    }

    @Test
    void whenADeliveryIsSignedThenTheThreeHeadersVerifyAndAChangedBodyDoesNot() {
        WebhookSecret secret = WebhookSecret.generate(new SecureRandom());
        Instant now = Instant.parse("2027-01-04T10:00:00Z");
        String body = "{\"id\":\"evt_1\",\"type\":\"connection.status_changed\"}";

        Map<String, String> headers = new WebhookSigner(secret).headers("evt_1", now, body);

        assertEquals("evt_1", headers.get("webhook-id"));
        assertEquals(String.valueOf(now.getEpochSecond()), headers.get("webhook-timestamp"));
        assertTrue(headers.get("webhook-signature").startsWith("v1,"), headers.toString());
        assertTrue(StandardWebhooks.verify(secret.text(), headers, body, now));
        assertFalse(StandardWebhooks.verify(secret.text(), headers, body.replace("evt_1", "evt_2"), now), "a tampered body");
        assertFalse(StandardWebhooks.verify(secret.text(), headers, body, now.plusSeconds(301)), "an old timestamp");
        assertFalse(StandardWebhooks.verify(WebhookSecret.generate(new SecureRandom()).text(), headers, body, now), "another secret");
    }

    @Test
    void whenTwoSecretsAreSetThenTheHeaderHoldsASignatureForEachAndAReceiverWithEitherAccepts() {
        WebhookSecret current = WebhookSecret.parse(SPEC_SECRET);
        WebhookSecret next = WebhookSecret.generate(new SecureRandom());
        Instant now = Instant.parse("2027-01-04T10:00:00Z");
        String body = "{\"id\":\"evt_2\"}";

        Map<String, String> headers = new WebhookSigner(List.of(current, next)).headers("evt_2", now, body);

        assertEquals(2, headers.get("webhook-signature").split(" ").length, headers.toString());
        assertTrue(StandardWebhooks.verify(current.text(), headers, body, now), "a receiver still on the current secret");
        assertTrue(StandardWebhooks.verify(next.text(), headers, body, now), "a receiver already on the next one");
        assertFalse(StandardWebhooks.verify(WebhookSecret.generate(new SecureRandom()).text(), headers, body, now));
        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", new WebhookSigner(List.of(current, next))
                .sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L, "{\"test\": 2432232314}").split(" ")[0]);
    }

    @Test
    void whenTheIdCouldBreakTheHeaderOrTheSignedContentThenItIsRefused() {
        WebhookSigner signer = new WebhookSigner(WebhookSecret.generate(new SecureRandom()));
        for (String id : new String[] {"", "evt 1", "evt,1", "evt.1", "evt\r\nX-Injected: 1", "é"}) {
            assertThrows(IllegalArgumentException.class, () -> signer.sign(id, 1L, "{}"), "'" + id + "'");
        }
        assertThrows(IllegalArgumentException.class, () -> signer.sign(null, 1L, "{}"));
    }

    @Test
    void whenASecretIsParsedThenItRoundTripsAndNeverPrints() {
        WebhookSecret secret = WebhookSecret.parse(SPEC_SECRET);

        assertEquals(SPEC_SECRET, secret.text());
        assertEquals("WebhookSecret[REDACTED]", secret.toString());
        assertNotEquals(secret, WebhookSecret.generate(new SecureRandom()));
    }
}
