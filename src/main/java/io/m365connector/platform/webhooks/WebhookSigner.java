package io.m365connector.platform.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook messages the Standard Webhooks way (standardwebhooks.com), so a web app verifies
 * them with a maintained library instead of hand-written code: the signed content is
 * {@code <id>.<timestamp>.<body>}, the signature {@code v1,<base64 HMAC-SHA256>} under the
 * secret's bytes. Every webhook the connector sends (status events, and the change feed's) is
 * signed here.
 */
public final class WebhookSigner {
    public static final String ID_HEADER = "webhook-id";
    public static final String TIMESTAMP_HEADER = "webhook-timestamp";
    public static final String SIGNATURE_HEADER = "webhook-signature";
    /**
     * Visible ASCII without spaces, commas or full stops: an id travels in a header and is part of the signed content,
     * whose parts are joined by full stops (Standard Webhooks: ids should "not be allowed to include any `.`").
     */
    private static final Pattern EVENT_ID = Pattern.compile("[!-+\\-/-~]{1,255}");

    private final List<WebhookSecret> secrets;

    public WebhookSigner(WebhookSecret secret) {
        this(List.of(Objects.requireNonNull(secret, "'secret' cannot be null.")));
    }

    /**
     * Signs with each secret: the header then holds one signature per secret, space-separated, and a receiver that has
     * any one of them accepts the message (Standard Webhooks: "to support zero downtime secret rotation"). The web app
     * moves to a new secret while the connector signs with both.
     */
    public WebhookSigner(List<WebhookSecret> secrets) {
        if (secrets == null || secrets.isEmpty()) {
            throw new IllegalArgumentException("'secrets' must hold at least one secret.");
        }
        this.secrets = List.copyOf(secrets);
    }

    /**
     * The {@code webhook-signature} value for one message.
     *
     * @param eventId   the message id: the same on every retry of the message, so the receiver can ignore repeats
     * @param timestamp seconds since the epoch when this attempt is sent (receivers refuse old ones)
     * @param body      the exact body sent
     */
    public String sign(String eventId, long timestamp, String body) {
        Objects.requireNonNull(body, "'body' cannot be null.");
        if (eventId == null || !EVENT_ID.matcher(eventId).matches()) {
            throw new IllegalArgumentException("'eventId' must be 1-255 visible ASCII characters without spaces, commas or full stops.");
        }
        byte[] content = (eventId + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8);
        StringJoiner signatures = new StringJoiner(" ");
        for (WebhookSecret secret : secrets) {
            signatures.add("v1," + Base64.getEncoder().encodeToString(hmac(secret, content)));
        }
        return signatures.toString();
    }

    private static byte[] hmac(WebhookSecret secret, byte[] content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.key(), "HmacSHA256"));
            return mac.doFinal(content);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** The three headers of one delivery attempt sent at {@code at}. */
    public Map<String, String> headers(String eventId, Instant at, String body) {
        long timestamp = at.getEpochSecond();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(ID_HEADER, eventId);
        headers.put(TIMESTAMP_HEADER, Long.toString(timestamp));
        headers.put(SIGNATURE_HEADER, sign(eventId, timestamp, body));
        return headers;
    }
}
