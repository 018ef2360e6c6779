package io.m365connector.testing;

import io.m365connector.platform.http.HostRouting;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import okhttp3.Response;

/**
 * The far side carries out the first request with this method whose path matches, and its answer never arrives (the
 * connection drops): the client sees an IOException, as after a network blip, and whatever retry it has sends the same
 * request again. Wraps the test's route table.
 */
public final class LoseAnswerOnce implements HostRouting {
    private final HostRouting inner;
    private final String method;
    private final Pattern path;
    private final AtomicBoolean done = new AtomicBoolean();

    public LoseAnswerOnce(HostRouting inner, String method, String pathRegex) {
        this.inner = Objects.requireNonNull(inner, "'inner' cannot be null.");
        this.method = method;
        this.path = Pattern.compile(pathRegex);
    }

    public boolean happened() {
        return done.get();
    }

    @Override
    public void applyTo(okhttp3.OkHttpClient.Builder builder) {
        builder.addInterceptor(chain -> {
            Response response = chain.proceed(chain.request());
            if (chain.request().method().equals(method) && path.matcher(chain.request().url().encodedPath()).matches()
                    && done.compareAndSet(false, true)) {
                response.close();
                throw new IOException("the answer was lost (test)");
            }
            return response;
        });
        inner.applyTo(builder);
    }
}
