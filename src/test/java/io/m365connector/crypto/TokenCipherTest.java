package io.m365connector.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.m365connector.testing.SecretsLedger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class TokenCipherTest {
    private static final String CONNECTION = "con_0123456789abcdef0123456789abcdef";
    private static final String OTHER_CONNECTION = "con_fedcba9876543210fedcba9876543210";
    private final TokenCipher cipher = new TokenCipher();
    private final EncryptionKey key = new EncryptionKey("v1", SecretsLedger.remember(randomKey()));
    private final byte[] plaintext = "{\"RefreshToken\":{\"secret\":\"rt-value\"}}".getBytes(StandardCharsets.UTF_8);

    @Test
    void whenDecryptedWithSameIdentityThenPlaintextComesBack() {
        byte[] sealed = cipher.encrypt(key, CONNECTION, "usgov", plaintext);
        assertArrayEquals(plaintext, cipher.decrypt(key, CONNECTION, "usgov", sealed));
    }

    @Test
    void whenEncryptedTwiceThenNonceAndCiphertextDiffer() {
        byte[] first = cipher.encrypt(key, CONNECTION, "global", plaintext);
        byte[] second = cipher.encrypt(key, CONNECTION, "global", plaintext);
        assertFalse(Arrays.equals(Arrays.copyOfRange(first, 1, 13), Arrays.copyOfRange(second, 1, 13)), "nonce reused");
        assertFalse(Arrays.equals(first, second));
        assertEquals(1 + 12 + plaintext.length + 16, first.length);
    }

    @Test
    void whenAnyByteIsFlippedThenDecryptionIsRefused() {
        byte[] sealed = cipher.encrypt(key, CONNECTION, "global", plaintext);
        for (int i = 0; i < sealed.length; i++) {
            byte[] tampered = sealed.clone();
            tampered[i] ^= 0x01;
            int position = i;
            assertThrows(TokenDecryptionException.class, () -> cipher.decrypt(key, CONNECTION, "global", tampered),
                    "byte " + position + " flipped was accepted");
        }
    }

    @Test
    void whenCiphertextIsTruncatedThenDecryptionIsRefused() {
        byte[] sealed = cipher.encrypt(key, CONNECTION, "global", plaintext);
        for (int length = 0; length < sealed.length; length++) {
            byte[] cut = Arrays.copyOf(sealed, length);
            assertThrows(TokenDecryptionException.class, () -> cipher.decrypt(key, CONNECTION, "global", cut));
        }
    }

    @Test
    void whenPresentedAsAnotherConnectionThenDecryptionIsRefused() {
        byte[] sealed = cipher.encrypt(key, CONNECTION, "global", plaintext);
        assertThrows(TokenDecryptionException.class, () -> cipher.decrypt(key, OTHER_CONNECTION, "global", sealed));
    }

    @Test
    void whenPresentedAsAnotherCloudThenDecryptionIsRefused() {
        byte[] sealed = cipher.encrypt(key, CONNECTION, "global", plaintext);
        assertThrows(TokenDecryptionException.class, () -> cipher.decrypt(key, CONNECTION, "china", sealed));
    }

    @Test
    void whenKeyVersionLabelDiffersThenDecryptionIsRefusedEvenWithSameMaterial() {
        byte[] material = randomKey();
        byte[] sealed = cipher.encrypt(new EncryptionKey("v1", material), CONNECTION, "global", plaintext);
        assertThrows(TokenDecryptionException.class,
                () -> cipher.decrypt(new EncryptionKey("v2", material), CONNECTION, "global", sealed));
    }

    @Test
    void whenDecryptedWithAnotherKeyThenDecryptionIsRefused() {
        byte[] sealed = cipher.encrypt(key, CONNECTION, "global", plaintext);
        assertThrows(TokenDecryptionException.class,
                () -> cipher.decrypt(new EncryptionKey("v1", randomKey()), CONNECTION, "global", sealed));
    }

    @Test
    void whenErrorIsRaisedThenMessageCarriesNoKeyOrCiphertext() {
        byte[] sealed = cipher.encrypt(key, CONNECTION, "global", plaintext);
        sealed[20] ^= 1;
        TokenDecryptionException e = assertThrows(TokenDecryptionException.class,
                () -> cipher.decrypt(key, CONNECTION, "global", sealed));
        String text = e.getMessage() + e;
        assertFalse(text.contains(Base64.getEncoder().encodeToString(sealed)));
        assertFalse(text.contains("rt-value"));
        assertEquals(CONNECTION, e.connectionId());
    }

    @Test
    void whenKeyIsPrintedThenMaterialIsRedacted() {
        assertEquals("EncryptionKey[version=v1, material=[32 bytes, redacted]]", key.toString());
    }

    private static byte[] randomKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
