package io.m365connector.bench;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.m365connector.testing.TestPki;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.KeyStore;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** The JDK HTTPS server the canned benchmark endpoints run on, with the test PKI's server certificate. */
final class CannedHttpsServer {
    private CannedHttpsServer() {
    }

    /** Not started; any port; {@code threads} handler threads. */
    static HttpsServer create(int backlog, int threads) throws Exception {
        // Without TCP_NODELAY small responses wait for delayed ACKs (~40 ms each).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(TestPki.shared().serverKeyStore())) {
            keys.load(in, TestPki.PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, TestPki.PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("0.0.0.0", 0), backlog);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.setExecutor(Executors.newFixedThreadPool(threads));
        return server;
    }
}
