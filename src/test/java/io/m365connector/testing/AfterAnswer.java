package io.m365connector.testing;

import io.m365connector.platform.http.HostRouting;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import okhttp3.Response;

/**
 * Runs something once, right after the far side answered the first request with this method whose
 * path matches, and before the code under test sees that answer: "storage was lost right after Graph
 * accepted the send". Wraps the test's route table.
 */
public final class AfterAnswer implements HostRouting {
    private final HostRouting inner;
    private final String method;
    private final Pattern path;
    private final Runnable action;
    private final AtomicBoolean done = new AtomicBoolean();

    public AfterAnswer(HostRouting inner, String method, String pathRegex, Runnable action) {
        this.inner = Objects.requireNonNull(inner, "'inner' cannot be null.");
        this.method = method;
        this.path = Pattern.compile(pathRegex);
        this.action = action;
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
                action.run();
            }
            return response;
        });
        inner.applyTo(builder);
    }
}
