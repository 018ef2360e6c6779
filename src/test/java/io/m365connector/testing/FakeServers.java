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
                // WireMock otherwise formats every served request (the whole body: megabytes per attachment upload)
                // and its response definition as JSON for a log line the quiet notifier drops
                .stubRequestLoggingDisabled(true)
                .extensions(extensions)
                .notifier(new QuietNotifier()));
        server.start();
        return server;
    }
}
