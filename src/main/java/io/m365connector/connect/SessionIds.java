package io.m365connector.connect;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Login session ids ({@code yyyyMMdd.<43 random base64url chars>}) and the random secrets of the
 * sign-in flow. 256 bits of randomness: a session id in a login link cannot be guessed.
 */
final class SessionIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final Pattern SESSION_ID = Pattern.compile("\\d{8}\\.[A-Za-z0-9_-]{43}");
    private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9_-]{43}");

    private SessionIds() {
    }

    static String newSessionId(Instant now) {
        return DAY.format(now) + "." + secret();
    }

    static boolean isValid(String id) {
        return id != null && SESSION_ID.matcher(id).matches();
    }

    /** The day part of ids created at {@code instant} ({@code yyyyMMdd}, UTC). */
    static String dayOf(Instant instant) {
        return DAY.format(instant);
    }

    static String partitionOf(String id) {
        return id.substring(0, 8);
    }

    /** 256 random bits, base64url without padding (43 characters). */
    static String secret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static boolean isValidSecret(String value) {
        return value != null && SECRET.matcher(value).matches();
    }
}
