package io.m365connector.credentials;

import io.m365connector.platform.Settings.ClientCertificate;
import java.io.ByteArrayInputStream;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collections;
import java.util.Optional;

/** Reads what the health check needs from a PKCS#12 client certificate: when it stops being valid. */
public final class Certificates {
    private Certificates() {
    }

    /** The notAfter of the certificate that goes with the private key; empty when the file cannot be read. */
    public static Optional<Instant> notAfter(ClientCertificate certificate) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(certificate.pkcs12().toArray()), certificate.password().toCharArray());
            for (String alias : Collections.list(store.aliases())) {
                Certificate cert = store.getCertificate(alias);
                if (store.isKeyEntry(alias) && cert instanceof X509Certificate x509) {
                    return Optional.of(x509.getNotAfter().toInstant());
                }
            }
            return Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
