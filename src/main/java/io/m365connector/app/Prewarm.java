package io.m365connector.app;

import com.microsoft.kiota.serialization.KiotaJsonSerialization;
import io.m365connector.actions.MailRequest;
import io.m365connector.cloud.NationalCloud;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Cold-start help: on the first invocation of an instance, the Graph SDK and MSAL are loaded and
 * initialised on background threads while the request's own critical path loads the Azure Table
 * SDK. Class loading dominates a cold request (Table SDK ~0.5 s, Graph SDK ~0.4 s on 2 cores);
 * done in parallel, the Graph part is ready by the time the request needs it. Failures here only
 * mean the request does the work itself.
 */
final class Prewarm {
    private static final Logger LOG = Logger.getLogger(Prewarm.class.getName());
    private final AtomicBoolean started = new AtomicBoolean();

    void start(AppContext context) {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        thread("prewarm-graph", () -> {
            var message = new com.microsoft.graph.models.Message();
            message.setSubject("warm-up");
            KiotaJsonSerialization.serializeAsString(message);
            context.graphGateway().client(NationalCloud.GLOBAL, "warm-up").me().messages().toPostRequestInformation(message);
            MailRequest.parse("{\"to\":[\"warm@example.com\"],\"subject\":\"warm\"}");
        });
        thread("prewarm-msal", () -> context.msal().newApp(context.settings().enabledClouds().iterator().next(), "organizations",
                io.m365connector.tokens.TokenCacheSlot.empty()).getAccounts());
    }

    private static void thread(String name, ThrowingRunnable work) {
        Thread t = new Thread(() -> {
            try {
                work.run();
            } catch (Throwable e) {
                LOG.fine(name + " skipped: " + e.getClass().getSimpleName());
            }
        }, name);
        t.setDaemon(true);
        t.setPriority(Thread.NORM_PRIORITY - 1);
        t.start();
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
