package io.m365connector.platform;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs each task in the thread that submits it. For libraries that insist on an executor for work
 * their callers block on at once (MSAL4J's {@code supplyAsync(...).get()}): without one, MSAL falls
 * back to the common pool, which on one- and two-core hosts (parallelism 1) makes
 * {@code CompletableFuture} start a new thread per call (two per token refresh, measured with JFR
 * in SweepBenchmark). Running inline costs no thread and no hand-off; the caller waits either way.
 */
public final class CallingThreadExecutor extends AbstractExecutorService {
    public static final CallingThreadExecutor INSTANCE = new CallingThreadExecutor();

    private CallingThreadExecutor() {
    }

    @Override
    public void execute(Runnable task) {
        task.run();
    }

    /** Shared and never shut down: these do nothing. */
    @Override
    public void shutdown() {
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return false;
    }
}
