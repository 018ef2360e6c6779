package io.m365connector.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A receiver's check of a Standard Webhooks delivery (standardwebhooks.com), written from the
 * specification rather than from the connector's signer, for tests that look at deliveries in Java.
 * The official library's check runs in {@code StandardWebhooksInteropTest} (Node.js).
 */
public final class StandardWebhooks {
    private StandardWebhooks() {
    }

    /** A fresh {@code whsec_} secret, remembered by the log-leak check. */
    public static String newSecret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return SecretsLedger.remember("whsec_" + Base64.getEncoder().encodeToString(key));
    }

    /** The signature is one of the header's {@code v1,…} entries and the timestamp within 5 minutes of {@code now}. */
    public static boolean verify(String secret, Map<String, String> headers, String body, Instant now) {
        String id = headers.get("webhook-id");
        String timestamp = headers.get("webhook-timestamp");
        String signatures = headers.get("webhook-signature");
        if (id == null || timestamp == null || signatures == null
                || Math.abs(now.getEpochSecond() - Long.parseLong(timestamp)) > 300) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            byte[] expected = ("v1," + Base64.getEncoder().encodeToString(
                    mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)))).getBytes(StandardCharsets.UTF_8);
            for (String signature : signatures.split(" ")) {
                if (MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.UTF_8))) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
