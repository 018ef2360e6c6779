package io.m365connector.testing;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every secret value the suite creates or sees: tokens the fake Entra ID issues, authorization
 * codes, client secrets, encryption keys, ciphertexts. The log-leak test fails if any appears in
 * the captured logs.
 */
public final class SecretsLedger {
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();

    private SecretsLedger() {
    }

    public static String remember(String secret) {
        if (secret != null && secret.length() >= 8 && secret.chars().distinct().count() > 2) {
            SECRETS.add(secret);
        }
        return secret;
    }

    /** Remembers raw bytes as they could appear in text: base64 (both alphabets) and hex. */
    public static byte[] remember(byte[] secret) {
        if (secret != null && secret.length >= 8) {
            remember(Base64.getEncoder().encodeToString(secret));
            remember(Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
            remember(HexFormat.of().formatHex(secret));
        }
        return secret;
    }

    public static Set<String> all() {
        return Set.copyOf(SECRETS);
    }
}
