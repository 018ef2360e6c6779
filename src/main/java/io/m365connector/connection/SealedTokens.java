package io.m365connector.connection;

import java.util.Arrays;
import java.util.Objects;

/** A connection's MSAL token cache as stored: AES-GCM ciphertext and the key version it was sealed under. */
public record SealedTokens(byte[] ciphertext, String keyVersion) {
    public SealedTokens {
        Objects.requireNonNull(ciphertext, "'ciphertext' cannot be null.");
        Objects.requireNonNull(keyVersion, "'keyVersion' cannot be null.");
        ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SealedTokens s && s.keyVersion.equals(keyVersion) && Arrays.equals(s.ciphertext, ciphertext);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ciphertext);
    }

    @Override
    public String toString() {
        return "SealedTokens[keyVersion=" + keyVersion + ", ciphertext=REDACTED]";
    }
}
