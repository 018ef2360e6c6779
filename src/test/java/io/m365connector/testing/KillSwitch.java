package io.m365connector.testing;

import io.m365connector.platform.http.HostRouting;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.params.provider.Arguments;

/**
 * One function app instance's outbound requests, numbered in the order they leave (Graph, Entra ID,
 * Table Storage, queues: all go through the one HTTP stack), with a kill at a chosen one: the
 * instance dies before the request leaves, or after the far side carried it out but before the
 * answer reaches the code. From then on every request of the instance dies too, so nothing the
 * dead instance's code still runs reaches the world: that is what a killed process looks like from
 * outside. Wraps the test's route table.
 */
public final class KillSwitch implements HostRouting {
    /** Where the process dies, relative to the armed request. */
    public enum When {
        /** before a byte of the request is sent */
        BEFORE_SENDING,
        /** the far side carried the request out; the answer never reaches the code */
        AFTER_IT_ACTED
    }

    /** One outbound request: method, host and path (query left out). */
    public record Call(String method, String host, String path) {
        /** The request without the ids in it (row keys, message and event ids): equal for the same step of two runs. */
        public String shape() {
            String withoutKeys = path.replaceAll("\\([^)]*\\)", "()");
            return method + " " + host + String.join("/", java.util.Arrays.stream(withoutKeys.split("/", -1))
                    .map(segment -> segment.length() >= 40 ? "{id}" : segment).toList());
        }

        @Override
        public String toString() {
            return shape();
        }
    }

    private final HostRouting inner;
    private final List<Call> calls = new ArrayList<>();
    private int armedAt = -1;
    private java.util.function.Predicate<Call> armedStep = call -> false;
    private When when;
    private volatile boolean dead;

    public KillSwitch(HostRouting inner) {
        this.inner = Objects.requireNonNull(inner, "'inner' cannot be null.");
    }

    /**
     * A crash matrix's cells: each request of a reference run, numbered, with its call and where the process dies (before
     * it leaves, after the far side acted): the arguments of a test's {@code (int ordinal, Call call, When when)}.
     */
    public static Stream<Arguments> cells(List<Call> reference) {
        return IntStream.range(0, reference.size()).boxed().flatMap(i -> Arrays.stream(When.values())
                .map(when -> Arguments.of(i, reference.get(i), when)));
    }

    /** Kills the instance at its {@code ordinal}-th outbound request (0-based). */
    public synchronized KillSwitch arm(int ordinal, When when) {
        this.armedAt = ordinal;
        this.when = when;
        return this;
    }

    /** Kills the instance at the first outbound request that {@code step} matches. */
    public synchronized KillSwitch armAt(java.util.function.Predicate<Call> step, When when) {
        this.armedStep = step;
        this.when = when;
        return this;
    }

    public boolean dead() {
        return dead;
    }

    /** Every request the instance sent or tried to send, in order. */
    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    @Override
    public void applyTo(okhttp3.OkHttpClient.Builder builder) {
        builder.addInterceptor(chain -> {
            Request request = chain.request();
            When kill = admit(request);
            if (kill == When.BEFORE_SENDING) {
                throw new ProcessDeath("before " + describe(request));
            }
            Response response = chain.proceed(request);
            if (kill == When.AFTER_IT_ACTED) {
                response.close();
                throw new ProcessDeath("after " + describe(request) + " was carried out");
            }
            return response;
        });
        inner.applyTo(builder);
    }

    private synchronized When admit(Request request) {
        if (dead) {
            throw new ProcessDeath("earlier; " + describe(request) + " never leaves");
        }
        int ordinal = calls.size();
        Call call = new Call(request.method(), request.url().host(), request.url().encodedPath());
        calls.add(call);
        if (ordinal != armedAt && !armedStep.test(call)) {
            return null;
        }
        dead = true;
        return when;
    }

    private static String describe(Request request) {
        return request.method() + " " + request.url().host() + request.url().encodedPath();
    }
}
