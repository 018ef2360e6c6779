package io.m365connector.platform.http;

import io.m365connector.platform.Redaction;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Logs outbound calls at FINE (method, URL without query, status, time) and their headers at
 * FINEST with Authorization, cookies and keys redacted. Bodies are never logged: they carry codes,
 * tokens and mail content.
 */
final class HttpLogInterceptor implements Interceptor {
    private static final Logger LOG = Logger.getLogger("io.m365connector.http");

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        if (!LOG.isLoggable(Level.FINE)) {
            return chain.proceed(request);
        }
        long start = System.nanoTime();
        String target = request.method() + " " + Redaction.url(request.url().url());
        if (LOG.isLoggable(Level.FINEST)) {
            StringBuilder headers = new StringBuilder();
            request.headers().forEach(h -> headers.append(h.getFirst()).append(": ")
                    .append(Redaction.headerValue(h.getFirst(), h.getSecond())).append("; "));
            LOG.finest(target + " headers " + headers);
        }
        try {
            Response response = chain.proceed(request);
            LOG.fine(target + " -> " + response.code() + " (" + (System.nanoTime() - start) / 1_000_000 + " ms)");
            return response;
        } catch (IOException e) {
            LOG.fine(target + " failed: " + e.getClass().getSimpleName());
            throw e;
        }
    }
}
