package io.m365connector.testing;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** App registration certificates for tests: a self-signed RSA certificate and its PKCS#12 file, as an operator uploads them. */
public final class ClientCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(100);

    /** The certificate (for the app registration) and the PFX with its key, base64 (for M365_{CLOUD}_CLIENT_CERTIFICATE). */
    public record ClientCertificate(X509Certificate certificate, String pfxBase64, String password) {
        @Override
        public String toString() {
            return "ClientCertificate[" + certificate.getSubjectX500Principal() + "]";
        }
    }

    private ClientCertificates() {
    }

    /** A certificate valid from a day ago until {@code notAfter}. */
    public static ClientCertificate create(String name, Instant notAfter) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair keys = generator.generateKeyPair();
            X500Name subject = new X500Name("CN=" + name);
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(subject,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(Instant.now().minus(Duration.ofDays(1))), Date.from(notAfter),
                    subject, keys.getPublic()).build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
            String password = SecretsLedger.remember("pfx-" + SERIAL.get() + "-" + System.nanoTime());
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("client", keys.getPrivate(), password.toCharArray(), new X509Certificate[] {certificate});
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.store(out, password.toCharArray());
            SecretsLedger.remember(keys.getPrivate().getEncoded());
            return new ClientCertificate(certificate, SecretsLedger.remember(Base64.getEncoder().encodeToString(out.toByteArray())), password);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
