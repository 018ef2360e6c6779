package io.m365connector.app;

import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.ExponentialBackoff;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.RequestRetryCondition;
import com.azure.core.http.policy.RetryStrategy;
import io.m365connector.platform.Sleeper;
import java.time.Duration;

/**
 * azure-core's exponential backoff for the Table, Queue and Key Vault clients, waited out on the connector's
 * {@link Sleeper} rather than by azure-core itself.
 *
 * <p>Why: azure-core's {@code RetryPolicy} waits with {@code Thread.sleep}, the one wait in the app that
 * no test could move onto its clock (every storage outage test slept through real backoffs). It sleeps
 * only for a delay that is neither zero nor negative, so this strategy waits for the delay itself, on the
 * sleeper, and hands azure-core zero. What is retried and how often stays azure-core's. A delay the
 * service names in a Retry-After header is still azure-core's own wait (it does not ask the strategy).
 * The clients are synchronous: the wait happens on the caller's thread, as azure-core's did, though
 * before azure-core closes the failed answer rather than after (a pooled connection is held for the
 * wait, at most a second).
 */
final class SleeperRetryStrategy implements RetryStrategy {
    private final ExponentialBackoff backoff;
    private final Sleeper sleeper;

    SleeperRetryStrategy(ExponentialBackoffOptions options, Sleeper sleeper) {
        this.backoff = new ExponentialBackoff(options);
        this.sleeper = sleeper;
    }

    @Override
    public int getMaxRetries() {
        return backoff.getMaxRetries();
    }

    @Override
    public Duration calculateRetryDelay(int retryAttempts) {
        sleeper.sleep(backoff.calculateRetryDelay(retryAttempts));
        return Duration.ZERO;
    }

    @Override
    public boolean shouldRetryCondition(RequestRetryCondition condition) {
        return backoff.shouldRetryCondition(condition);
    }

    @Override
    public boolean shouldRetry(HttpResponse httpResponse) {
        return backoff.shouldRetry(httpResponse);
    }

    @Override
    public boolean shouldRetryException(Throwable throwable) {
        return backoff.shouldRetryException(throwable);
    }
}
