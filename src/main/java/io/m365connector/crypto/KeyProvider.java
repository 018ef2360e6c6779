package io.m365connector.crypto;

/**
 * Supplies the token encryption key. New writes use {@link #current()}; rows written under an older
 * key version are read with {@link #version(String)}. Rotation is a new version of the key: old rows
 * stay readable and are rewritten under the newest version on their next write.
 *
 * <p>Both methods throw {@link KeyUnavailableException} when the key cannot be read.
 */
public interface KeyProvider {
    EncryptionKey current();

    EncryptionKey version(String version);
}
