package io.m365connector.platform;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * Bytes a record holds (ciphertext, key material, a certificate, an attachment): copied in and out so
 * no caller can change them, compared by content (in constant time, as key material must be), and
 * never printed: a record's generated {@code toString} shows only their length.
 */
public final class Bytes {
    private final byte[] value;

    private Bytes(byte[] value) {
        this.value = value;
    }

    public static Bytes copyOf(byte[] bytes) {
        return new Bytes(Objects.requireNonNull(bytes, "'bytes' cannot be null.").clone());
    }

    /** A copy of the bytes. */
    public byte[] toArray() {
        return value.clone();
    }

    public int length() {
        return value.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Bytes b && MessageDigest.isEqual(b.value, value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "[" + value.length + " bytes, redacted]";
    }
}
