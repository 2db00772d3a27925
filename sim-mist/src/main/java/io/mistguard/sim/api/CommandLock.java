package io.mistguard.sim.api;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Mist's global config lock: a single dedicated thread that runs every command in arrival order,
 * so one slow command delays all the others. Blocking here (delays, lock-holding hangs) is the
 * point; the event loops only hand work over and get results back as futures.
 */
final class CommandLock implements AutoCloseable {

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sim-mist-command");
        t.setDaemon(true);
        return t;
    });

    /** Runs {@code work} under the lock after holding it for {@code delay} first. */
    <T> CompletableFuture<T> submit(Duration delay, Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    if (!delay.isZero()) {
                        Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
                    }
                    result.complete(work.get());
                } catch (InterruptedException e) {
                    result.completeExceptionally(e);
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /** Holds the lock until {@code release} completes (or the lock is closed). */
    void holdUntil(CompletableFuture<?> release) {
        try {
            thread.execute(() -> {
                try {
                    release.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException e) {
                    // released either way
                }
            });
        } catch (RejectedExecutionException e) {
            // closing: nothing to hold
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
