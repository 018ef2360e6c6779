package io.m365connector.crypto;

import io.m365connector.platform.Bytes;
import java.util.Objects;

/** A 256-bit token encryption key and the version it was read at (a Key Vault secret version). */
public record EncryptionKey(String version, Bytes material) {
    public EncryptionKey {
        Objects.requireNonNull(version, "'version' cannot be null.");
        Objects.requireNonNull(material, "'material' cannot be null.");
        if (material.length() != 32) {
            throw new IllegalArgumentException("An encryption key must be 32 bytes (AES-256), got " + material.length() + ".");
        }
        if (version.isBlank() || version.length() > 64) {
            throw new IllegalArgumentException("A key version must be 1-64 characters.");
        }
    }

    public EncryptionKey(String version, byte[] material) {
        this(version, Bytes.copyOf(material));
    }
}
