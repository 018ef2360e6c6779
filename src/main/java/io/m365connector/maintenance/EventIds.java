package io.m365connector.maintenance;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Event ids derived from what happened rather than drawn at random: the same change announced twice
 * (a retried write, two instances seeing one credential change) carries the same {@code webhook-id},
 * so the receiver's "ignore an id seen before" drops the copy.
 */
final class EventIds {
    private EventIds() {
    }

    /** {@code evt_} and 32 hex digits of SHA-256 over the parts (type first). */
    static String of(String... parts) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(String.join("\n", parts).getBytes(StandardCharsets.UTF_8));
            return "evt_" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
