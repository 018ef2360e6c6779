package io.m365connector.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.function.Supplier;

/** Races for tests: each task runs in a thread of its own and starts once all parties of the barrier are ready. */
public final class StartTogether {
    private StartTogether() {
    }

    public static <T> CompletableFuture<T> run(CyclicBarrier start, Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        new Thread(() -> {
            try {
                start.await();
                result.complete(task.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "start-together").start();
        return result;
    }
}
