package io.m365connector.platform.webhooks;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * A Standard Webhooks signing secret: {@code whsec_} followed by the base64 of 24 to 64 random bytes
 * (the form every Standard Webhooks library takes, so the web app passes the same text to its
 * verifier). The decoded bytes are the HMAC key. Never printed: {@link #toString()} is redacted.
 */
public final class WebhookSecret {
    public static final String PREFIX = "whsec_";
    static final int MIN_BYTES = 24;
    static final int MAX_BYTES = 64;

    private final byte[] key;

    private WebhookSecret(byte[] key) {
        this.key = key;
    }

    /**
     * Reads {@code whsec_<base64>}. The message of the exception says what is wrong without repeating
     * the value (it is a secret, and the message ends up in logs).
     */
    public static WebhookSecret parse(String text) {
        Objects.requireNonNull(text, "'text' cannot be null.");
        if (!text.startsWith(PREFIX)) {
            throw new IllegalArgumentException("must start with " + PREFIX + " (a Standard Webhooks secret).");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be " + PREFIX + " followed by standard base64.");
        }
        if (key.length < MIN_BYTES || key.length > MAX_BYTES) {
            throw new IllegalArgumentException("must hold " + MIN_BYTES + " to " + MAX_BYTES + " random bytes after " + PREFIX
                    + " (it holds " + key.length + ").");
        }
        return new WebhookSecret(key);
    }

    /** A new random secret of 32 bytes (the demo and tests hand its {@link #text()} to the receiver). */
    public static WebhookSecret generate(SecureRandom random) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return new WebhookSecret(key);
    }

    /** The secret as a receiver's Standard Webhooks library takes it: {@code whsec_<base64>}. */
    public String text() {
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    byte[] key() {
        return key.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof WebhookSecret s && MessageDigest.isEqual(key, s.key);
    }

    @Override
    public int hashCode() {
        return key.length;
    }

    @Override
    public String toString() {
        return "WebhookSecret[REDACTED]";
    }
}
