package io.m365connector.testing.entra;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The fake's signing key: RS256 ID tokens with a {@code kid}, and the matching JWKS document.
 *
 * <p>One RSA key pair serves every fake Entra ID of a test JVM, each under its own {@code kid}: generating a
 * 2048-bit pair per fake was a tenth of the suite's CPU samples (JFR, docs/TESTING.md), and no test or
 * production path tells two fakes apart by their key (the connector does not validate ID token signatures).
 */
final class TokenSigner {
    private static final KeyPair SHARED = generate();
    private final KeyPair keys;
    private final String kid = base64Url(UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII)).substring(0, 27);

    private TokenSigner(KeyPair keys) {
        this.keys = keys;
    }

    /** The test JVM's key, under a kid of its own. */
    static TokenSigner sharedKey() {
        return new TokenSigner(SHARED);
    }

    /** A key no other signer has: for tokens "signed by someone else". */
    static TokenSigner ownKey() {
        return new TokenSigner(generate());
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    String kid() {
        return kid;
    }

    RSAPublicKey publicKey() {
        return (RSAPublicKey) keys.getPublic();
    }

    String sign(Map<String, Object> claims) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", "JWT");
        header.put("alg", "RS256");
        header.put("kid", kid);
        String signingInput = base64Url(JsonText.write(header).getBytes(StandardCharsets.UTF_8)) + "."
                + base64Url(JsonText.write(claims).getBytes(StandardCharsets.UTF_8));
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(keys.getPrivate());
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + base64Url(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JWKS document ({@code /discovery/v2.0/keys}) with this key. */
    String jwks(String issuer) {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("kty", "RSA");
        key.put("use", "sig");
        key.put("kid", kid);
        key.put("n", base64Url(unsigned(publicKey().getModulus())));
        key.put("e", base64Url(unsigned(publicKey().getPublicExponent())));
        key.put("issuer", issuer);
        return JsonText.write(Map.of("keys", List.of(key)));
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes.length > 1 && bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
