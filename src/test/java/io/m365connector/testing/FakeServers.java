package io.m365connector.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.Extension;

/** WireMock servers over HTTPS with the test PKI's certificate for the real cloud host names. */
public final class FakeServers {
    private FakeServers() {
    }

    public static WireMockServer https(Extension... extensions) {
        WireMockServer server = new WireMockServer(WireMockConfiguration.options()
                .httpDisabled(true)
                .dynamicHttpsPort()
                .keystorePath(TestPki.shared().serverKeyStore().toString())
                .keystorePassword(new String(TestPki.PASSWORD))
                .keyManagerPassword(new String(TestPki.PASSWORD))
                .keystoreType("PKCS12")
                .containerThreads(120)
                .extensions(extensions)
                .notifier(new QuietNotifier()));
        server.start();
        return server;
    }
}
