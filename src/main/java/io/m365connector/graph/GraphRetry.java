package io.m365connector.graph;

import io.m365connector.platform.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * When to send a Graph request again, by what the failure says ({@link GraphFailure.Meaning}) and
 * what the operation is ({@link Safety}):
 * <ul>
 *   <li>not processed (no connection, 429, 503): repeated after Retry-After while that fits in the budget;</li>
 *   <li>401: the token is renewed (with a claims challenge's claims) and the request repeated once;</li>
 *   <li>ambiguous (no answer, 500/502/504): repeated only when the operation may run twice; otherwise
 *       {@link Ambiguous} is thrown for the caller to find out what happened;</li>
 *   <li>refused (other 4xx): the API's error at once.</li>
 * </ul>
 */
public final class GraphRetry {
    /** Whether an operation may be carried out twice. */
    public enum Safety {
        /** Running it twice has the effect of running it once (reads, PATCH, create with transactionId). */
        REPEATABLE,
        /** Removes an item: after an ambiguous attempt, "not found" on the repeat means the first attempt removed it. */
        REMOVAL,
        /** Must not run twice (sending mail): ambiguous failures go back to the caller. */
        ONCE
    }

    private final int maxAttempts;
    private final Duration budget;
    private final Duration defaultDelay;
    private final Sleeper sleeper;
    private final Clock clock;

    public GraphRetry(int maxAttempts, Duration budget, Duration defaultDelay, Sleeper sleeper, Clock clock) {
        this.maxAttempts = maxAttempts;
        this.budget = Objects.requireNonNull(budget, "'budget' cannot be null.");
        this.defaultDelay = Objects.requireNonNull(defaultDelay, "'defaultDelay' cannot be null.");
        this.sleeper = Objects.requireNonNull(sleeper, "'sleeper' cannot be null.");
        this.clock = Objects.requireNonNull(clock, "'clock' cannot be null.");
    }

    /** How long the default policy waits between attempts of one call, at most, in all. */
    public static final Duration BUDGET = Duration.ofSeconds(10);

    /** Three attempts within 10 seconds, 1 s apart unless Graph says otherwise. */
    public static GraphRetry defaults(Sleeper sleeper, Clock clock) {
        return new GraphRetry(3, BUDGET, Duration.ofSeconds(1), sleeper, clock);
    }

    /** Runs {@code call} with a session's client and token under this policy; its result, or the API's error. */
    <T> T call(SessionToken session, GraphClient client, Safety safety, Function<GraphClient, T> call) {
        long spentMillis = 0;
        boolean ambiguousBefore = false;
        int renewalsBefore = session.renewals();
        for (int attempt = 1; ; attempt++) {
            session.beforeAttempt(); // outside the try: a lost lease is not a Graph failure
            try {
                return call.apply(client);
            } catch (RuntimeException e) {
                GraphFailure failure = GraphFailure.of(e, clock);
                if (safety == Safety.REMOVAL && ambiguousBefore && failure.status() == 404) {
                    return null; // the earlier, ambiguous attempt removed it
                }
                switch (failure.meaning()) {
                    case UNAUTHORIZED -> {
                        if (session.renewals() > renewalsBefore || attempt >= maxAttempts) {
                            // A token renewed during this call (here, or by the SDK for a claims challenge) was refused too.
                            throw failure.toException(session.connectionId());
                        }
                        session.renew(failure.claims());
                        continue;
                    }
                    case AMBIGUOUS -> {
                        if (safety == Safety.ONCE) {
                            throw new Ambiguous(failure);
                        }
                        ambiguousBefore = true;
                    }
                    case REFUSED -> throw failure.toException(session.connectionId());
                    case NOT_PROCESSED -> { }
                }
                Duration wait = failure.retryAfter().orElse(defaultDelay.multipliedBy(attempt));
                if (attempt >= maxAttempts || spentMillis + wait.toMillis() > budget.toMillis()) {
                    throw failure.toException(session.connectionId());
                }
                sleeper.sleep(wait);
                spentMillis += wait.toMillis();
            }
        }
    }

    /** The request may or may not have been carried out. */
    public static final class Ambiguous extends RuntimeException {
        private final transient GraphFailure failure;

        Ambiguous(GraphFailure failure) {
            super("ambiguous Graph failure: " + (failure.status() == 0 ? failure.message() : "HTTP " + failure.status()), null, false, false);
            this.failure = failure;
        }

        public GraphFailure failure() {
            return failure;
        }

        public Optional<Duration> retryAfter() {
            return failure.retryAfter();
        }
    }
}
