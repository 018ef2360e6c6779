package io.m365connector.bench;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.QueueMessageItem;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Stands in for the Functions host's queue listener in benchmarks: fetches up to 32 messages at a
 * time and runs at most {@code concurrency} handlers at once (Functions runs batchSize + newBatchThreshold
 * per instance), deleting each message after its handler returns.
 */
final class LocalQueueHost implements AutoCloseable {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final QueueClient queue;
    private final Consumer<String> handler;
    private final ExecutorService pool;
    private final Semaphore slots;
    private final AtomicInteger handled = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final int concurrency;
    private final LongAdder handlerCpuNanos = new LongAdder();
    private volatile long lastCompletionNanos;

    LocalQueueHost(QueueClient queue, int concurrency, Consumer<String> handler) {
        this.concurrency = concurrency;
        this.queue = queue;
        this.handler = handler;
        this.pool = Executors.newFixedThreadPool(concurrency);
        this.slots = new Semaphore(concurrency);
    }

    /** Processes messages until the queue has been empty and idle for {@code idle}. */
    void drain(Duration idle) throws InterruptedException {
        long lastWork = System.nanoTime();
        while (System.nanoTime() - lastWork < idle.toNanos() || slots.availablePermits() < concurrency) {
            int free = slots.availablePermits();
            if (free == 0) {
                Thread.sleep(2);
                continue;
            }
            int got = 0;
            for (QueueMessageItem item : queue.receiveMessages(Math.min(32, free), Duration.ofSeconds(60), null, null)) {
                got++;
                slots.acquire();
                pool.submit(() -> {
                    try {
                        long cpuStart = THREADS.getCurrentThreadCpuTime();
                        try {
                            handler.accept(item.getBody().toString());
                        } finally {
                            handlerCpuNanos.add(THREADS.getCurrentThreadCpuTime() - cpuStart);
                        }
                        queue.deleteMessage(item.getMessageId(), item.getPopReceipt());
                        handled.incrementAndGet();
                        lastCompletionNanos = System.nanoTime();
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                    } finally {
                        slots.release();
                    }
                });
            }
            if (got > 0) {
                lastWork = System.nanoTime();
            } else {
                Thread.sleep(20);
            }
        }
    }

    /** CPU time spent in the handler (the connector's refresh worker), summed over threads; JIT and GC threads not included. */
    long handlerCpuNanos() {
        return handlerCpuNanos.sum();
    }

    /** System.nanoTime() when the last handler finished. */
    long lastCompletionNanos() {
        return lastCompletionNanos;
    }

    int handled() {
        return handled.get();
    }

    int failed() {
        return failed.get();
    }

    @Override
    public void close() throws InterruptedException {
        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.SECONDS);
    }
}
