package io.m365connector.testing;

import io.m365connector.platform.http.HostRouting;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * One function app instance's outbound requests, numbered as {@link KillSwitch} numbers them, with a refusal at a chosen
 * one: the far side answers 503 without acting, to that request and to every later request of the same shape (the
 * clients' own retries, the next page's same step), while the instance lives on: its error paths and clean-up run, as
 * they do when Table Storage or Graph is unavailable for a while. Wraps the test's route table.
 */
public final class RefusedCall implements HostRouting {
    private final HostRouting inner;
    private final List<KillSwitch.Call> calls = new ArrayList<>();
    private final int refusedAt;
    private final String pathFragment;
    private String refusedShape;

    public RefusedCall(HostRouting inner, int refusedAt) {
        this(inner, refusedAt, null);
    }

    private RefusedCall(HostRouting inner, int refusedAt, String pathFragment) {
        this.inner = Objects.requireNonNull(inner, "'inner' cannot be null.");
        this.refusedAt = refusedAt;
        this.pathFragment = pathFragment;
    }

    /** Refuses every request whose path holds {@code fragment} (a table's name: that table unavailable), the rest go through. */
    public static RefusedCall pathsContaining(HostRouting inner, String fragment) {
        return new RefusedCall(inner, -1, Objects.requireNonNull(fragment, "'fragment' cannot be null."));
    }

    /** Every request the instance sent or tried to send, in order. */
    public synchronized List<KillSwitch.Call> calls() {
        return List.copyOf(calls);
    }

    /** Whether the armed request was made (and refused). */
    public synchronized boolean refused() {
        return refusedShape != null;
    }

    @Override
    public void applyTo(okhttp3.OkHttpClient.Builder builder) {
        builder.addInterceptor(chain -> {
            Request request = chain.request();
            if (refuses(request)) {
                return new Response.Builder().request(request).protocol(Protocol.HTTP_1_1).code(503).message("Server Busy")
                        .body(ResponseBody.create("", MediaType.get("application/json"))).build();
            }
            return chain.proceed(request);
        });
        inner.applyTo(builder);
    }

    private synchronized boolean refuses(Request request) {
        KillSwitch.Call call = new KillSwitch.Call(request.method(), request.url().host(), request.url().encodedPath());
        int ordinal = calls.size();
        calls.add(call);
        if (pathFragment != null) {
            boolean refuse = call.path().contains(pathFragment);
            if (refuse && refusedShape == null) {
                refusedShape = call.shape();
            }
            return refuse;
        }
        if (ordinal == refusedAt) {
            refusedShape = call.shape();
        }
        return refusedShape != null && refusedShape.equals(call.shape());
    }
}
