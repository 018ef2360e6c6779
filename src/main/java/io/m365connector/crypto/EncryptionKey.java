package io.m365connector.crypto;

import java.util.Arrays;
import java.util.Objects;

/** A 256-bit token encryption key and the version it was read at (a Key Vault secret version). */
public record EncryptionKey(String version, byte[] material) {
    public EncryptionKey {
        Objects.requireNonNull(version, "'version' cannot be null.");
        Objects.requireNonNull(material, "'material' cannot be null.");
        if (material.length != 32) {
            throw new IllegalArgumentException("An encryption key must be 32 bytes (AES-256), got " + material.length + ".");
        }
        if (version.isBlank() || version.length() > 64) {
            throw new IllegalArgumentException("A key version must be 1-64 characters.");
        }
        material = material.clone();
    }

    @Override
    public byte[] material() {
        return material.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EncryptionKey k && k.version.equals(version) && Arrays.equals(k.material, material);
    }

    @Override
    public int hashCode() {
        return version.hashCode();
    }

    @Override
    public String toString() {
        return "EncryptionKey[version=" + version + ", material=REDACTED]";
    }
}
