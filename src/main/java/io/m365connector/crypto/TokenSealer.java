package io.m365connector.crypto;

import io.m365connector.cloud.NationalCloud;
import io.m365connector.connection.SealedTokens;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Seals a connection's MSAL token cache under the current key and opens it with the key version it
 * was sealed under. Every write seals with the newest key, which is how rows move to a rotated key.
 */
public final class TokenSealer {
    private final KeyProvider keys;
    private final TokenCipher cipher;

    public TokenSealer(KeyProvider keys, TokenCipher cipher) {
        this.keys = Objects.requireNonNull(keys, "'keys' cannot be null.");
        this.cipher = Objects.requireNonNull(cipher, "'cipher' cannot be null.");
    }

    public SealedTokens seal(String connectionId, NationalCloud cloud, String tokenCache) {
        EncryptionKey key = keys.current();
        byte[] ciphertext = cipher.encrypt(key, connectionId, cloud.id(), tokenCache.getBytes(StandardCharsets.UTF_8));
        return new SealedTokens(ciphertext, key.version());
    }

    public String open(String connectionId, NationalCloud cloud, SealedTokens sealed) {
        EncryptionKey key = keys.version(sealed.keyVersion());
        return new String(cipher.decrypt(key, connectionId, cloud.id(), sealed.ciphertext().toArray()), StandardCharsets.UTF_8);
    }
}
