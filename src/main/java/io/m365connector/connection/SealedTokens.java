package io.m365connector.connection;

import io.m365connector.platform.Bytes;
import java.util.Objects;

/** A connection's MSAL token cache as stored: AES-GCM ciphertext and the key version it was sealed under. */
public record SealedTokens(Bytes ciphertext, String keyVersion) {
    public SealedTokens {
        Objects.requireNonNull(ciphertext, "'ciphertext' cannot be null.");
        Objects.requireNonNull(keyVersion, "'keyVersion' cannot be null.");
    }

    public SealedTokens(byte[] ciphertext, String keyVersion) {
        this(Bytes.copyOf(ciphertext), keyVersion);
    }
}
