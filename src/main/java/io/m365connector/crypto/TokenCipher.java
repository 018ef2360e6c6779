package io.m365connector.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a random 96-bit nonce per encryption. The associated data binds a ciphertext to
 * its row (connection id, cloud, key version): a ciphertext copied into another row, or presented
 * with another key version, fails authentication instead of decrypting.
 *
 * <p>Layout: {@code 0x01 | nonce (12 bytes) | ciphertext | tag (16 bytes)}. The first byte names the
 * format so it can change without guessing.
 */
public final class TokenCipher {
    private static final byte FORMAT_V1 = 0x01;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    public byte[] encrypt(EncryptionKey key, String connectionId, String cloud, byte[] plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key.material().toArray(), "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData(connectionId, cloud, key.version()));
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(FORMAT_V1).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    public byte[] decrypt(EncryptionKey key, String connectionId, String cloud, byte[] ciphertext) {
        if (ciphertext == null || ciphertext.length < 1 + NONCE_BYTES + TAG_BITS / 8 || ciphertext[0] != FORMAT_V1) {
            throw new TokenDecryptionException(connectionId, "Stored tokens of connection " + connectionId + " are not in a known format.", null);
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key.material().toArray(), "AES"),
                    new GCMParameterSpec(TAG_BITS, ciphertext, 1, NONCE_BYTES));
            cipher.updateAAD(associatedData(connectionId, cloud, key.version()));
            return cipher.doFinal(ciphertext, 1 + NONCE_BYTES, ciphertext.length - 1 - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new TokenDecryptionException(connectionId, "Stored tokens of connection " + connectionId
                    + " failed authentication (altered, or not this row's). The user must connect again.", null);
        } catch (GeneralSecurityException e) {
            throw new TokenDecryptionException(connectionId, "Stored tokens of connection " + connectionId + " cannot be decrypted.", null);
        }
    }

    /** Length-prefixed fields so that ("ab","c") and ("a","bc") never collide. */
    private static byte[] associatedData(String connectionId, String cloud, String keyVersion) {
        byte[][] parts = {
            "m365-connector/tokens/v1".getBytes(StandardCharsets.UTF_8),
            connectionId.getBytes(StandardCharsets.UTF_8),
            cloud.getBytes(StandardCharsets.UTF_8),
            keyVersion.getBytes(StandardCharsets.UTF_8)
        };
        int size = 0;
        for (byte[] part : parts) {
            size += 4 + part.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        for (byte[] part : parts) {
            buffer.putInt(part.length).put(part);
        }
        return buffer.array();
    }
}
