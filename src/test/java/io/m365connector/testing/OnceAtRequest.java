package io.m365connector.testing;

import io.m365connector.platform.http.HostRouting;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import okhttp3.Response;

/**
 * Runs something once, at the first request with this method whose path matches: before it is sent ("another writer
 * changed the row just before this save", "a notification came while the run read the delta"), or right after the far
 * side answered it and before the code under test sees the answer ("storage was lost right after Graph accepted the
 * send"). Wraps the test's route table.
 */
public final class OnceAtRequest implements HostRouting {
    private final HostRouting inner;
    private final KillSwitch.When when;
    private final String method;
    private final Pattern path;
    private final Runnable action;
    private final AtomicBoolean done = new AtomicBoolean();

    public OnceAtRequest(HostRouting inner, KillSwitch.When when, String method, String pathRegex, Runnable action) {
        this.inner = Objects.requireNonNull(inner, "'inner' cannot be null.");
        this.when = Objects.requireNonNull(when, "'when' cannot be null.");
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
            boolean matches = chain.request().method().equals(method) && path.matcher(chain.request().url().encodedPath()).matches();
            if (matches && when == KillSwitch.When.BEFORE_SENDING && done.compareAndSet(false, true)) {
                action.run();
            }
            Response response = chain.proceed(chain.request());
            if (matches && when == KillSwitch.When.AFTER_IT_ACTED && done.compareAndSet(false, true)) {
                action.run();
            }
            return response;
        });
        inner.applyTo(builder);
    }
}
