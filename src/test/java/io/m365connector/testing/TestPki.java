package io.m365connector.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for the HTTPS fakes. Its server certificate names the real cloud
 * hosts, so TLS host name verification runs exactly as in production; only the test's HTTP stack
 * trusts the CA.
 */
public final class TestPki {
    public static final char[] PASSWORD = "fake-cloud-tls".toCharArray();

    /** Every host name the fakes answer for. */
    public static final List<String> HOSTS = List.of(
            "login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn", "login.chinacloudapi.cn",
            "graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn",
            "*.vault.azure.net", "*.vault.usgovcloudapi.net", "*.vault.azure.cn",
            "*.table.core.windows.net", "*.queue.core.windows.net", "*.table.core.usgovcloudapi.net", "*.queue.core.usgovcloudapi.net",
            "*.table.core.chinacloudapi.cn", "*.queue.core.chinacloudapi.cn",
            "localhost");

    private static TestPki shared;

    private final X509Certificate caCertificate;
    private final Path serverKeyStore;
    private final SSLContext clientContext;
    private final X509TrustManager trustManager;

    private TestPki() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair caKeys = generator.generateKeyPair();
        KeyPair serverKeys = generator.generateKeyPair();
        Instant now = Instant.now();
        X500Name caName = new X500Name("CN=m365-connector test CA");
        caCertificate = sign(new JcaX509v3CertificateBuilder(caName, BigInteger.ONE, Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(30))), caName, caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)), caKeys);
        GeneralName[] names = HOSTS.stream().map(h -> new GeneralName(GeneralName.dNSName, h)).toArray(GeneralName[]::new);
        X509Certificate serverCertificate = sign(new JcaX509v3CertificateBuilder(caName, BigInteger.TWO,
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))),
                new X500Name("CN=fake microsoft cloud"), serverKeys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature)), caKeys);

        KeyStore server = KeyStore.getInstance("PKCS12");
        server.load(null, null);
        server.setKeyEntry("server", serverKeys.getPrivate(), PASSWORD, new X509Certificate[] {serverCertificate, caCertificate});
        serverKeyStore = Files.createTempFile("fake-cloud-tls", ".p12");
        serverKeyStore.toFile().deleteOnExit();
        try (OutputStream out = Files.newOutputStream(serverKeyStore)) {
            server.store(out, PASSWORD);
        }

        trustManager = trusting(caCertificate);
        clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, new TrustManager[] {trustManager}, null);
    }

    /** System property naming a CA certificate file (PEM/DER) to trust instead of creating a CA: for child JVMs of a test. */
    public static final String TRUSTED_CA_PROPERTY = "m365c.test.ca";

    /** Trust-only: a child process trusts the CA of the parent that runs the fakes. */
    private TestPki(Path caFile) throws Exception {
        try (InputStream in = Files.newInputStream(caFile)) {
            caCertificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        serverKeyStore = null;
        trustManager = trusting(caCertificate);
        clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, new TrustManager[] {trustManager}, null);
    }

    private static X509TrustManager trusting(X509Certificate ca) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return (X509TrustManager) tmf.getTrustManagers()[0];
    }

    /** Writes the CA certificate (DER) for a child process to trust. */
    public Path writeCaCertificate(Path file) throws IOException {
        try {
            return Files.write(file, caCertificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IOException(e);
        }
    }

    public static synchronized TestPki shared() {
        if (shared == null) {
            try {
                String trusted = System.getProperty(TRUSTED_CA_PROPERTY);
                shared = trusted != null ? new TestPki(Path.of(trusted)) : new TestPki();
            } catch (Exception e) {
                throw new IllegalStateException("Cannot create the test PKI", e);
            }
        }
        return shared;
    }

    /** PKCS#12 key store with the server certificate, for WireMock and other HTTPS fakes. */
    public Path serverKeyStore() {
        return serverKeyStore;
    }

    public SSLContext clientContext() {
        return clientContext;
    }

    public X509TrustManager trustManager() {
        return trustManager;
    }

    public X509Certificate caCertificate() {
        return caCertificate;
    }

    private static X509Certificate sign(org.bouncycastle.cert.X509v3CertificateBuilder builder, KeyPair issuer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }
}
