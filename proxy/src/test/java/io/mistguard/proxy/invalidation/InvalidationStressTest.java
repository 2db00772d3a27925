package io.mistguard.proxy.invalidation;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.time.Scheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real threads against the lock-free queue: many producers, a sender that completes on its own
 * thread after random delays and fails a fifth of its calls, a flapping breaker and concurrent
 * checkpoints. The sender checks the two guarantees while it runs.
 */
class InvalidationStressTest {

    /** Enforced by the sender, which these tests script; the queue itself never reads it. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

    private static final int PRODUCERS = 8;
    private static final int OFFERS_PER_PRODUCER = 20_000;
    private static final int NAMES = 500;

    @TempDir
    Path dir;

    private final ScheduledExecutorService drainerThreads = Executors.newScheduledThreadPool(2);
    private final ScheduledExecutorService senderThread = Executors.newSingleThreadScheduledExecutor();

    /** Global order of acceptances and call starts; a call "starts after" an offer if its number is larger. */
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLongArray lastAccepted = new AtomicLongArray(NAMES);
    private final AtomicLongArray lastDeliveredStart = new AtomicLongArray(NAMES);
    private final Queue<String> violations = new ConcurrentLinkedQueue<>();

    @AfterEach
    void stopThreads() {
        drainerThreads.shutdownNow();
        senderThread.shutdownNow();
    }

    @Test
    @Timeout(60)
    void everyAcceptedNameIsDeliveredAfterItsLastAcceptanceAndNeverTwiceInFlight() throws Exception {
        CheckingSender sender = new CheckingSender();
        InvalidationsConfig config = new InvalidationsConfig(32, 300, CALL_TIMEOUT, Duration.ofMillis(1),
                Duration.ofMillis(5), Duration.ofMillis(1), Duration.ofMillis(10), dir.resolve("inval.state"),
                Duration.ofSeconds(20));
        InvalidationQueue queue = InvalidationQueue.builder(config, sender, Scheduler.of(drainerThreads))
                .mayCall(() -> ThreadLocalRandom.current().nextInt(20) != 0) // breaker open 5% of the time
                .start();

        runProducers(queue);
        ShutdownReport report = queue.shutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(violations).isEmpty();
        assertThat(report.drained()).isTrue();
        assertThat(report.remaining()).isEmpty();
        assertThat(dir.resolve("inval.state")).doesNotExist();
        List<String> undelivered = new ArrayList<>();
        for (int i = 0; i < NAMES; i++) {
            long accepted = lastAccepted.get(i);
            if (accepted != 0 && lastDeliveredStart.get(i) < accepted) {
                undelivered.add(name(i) + " accepted at " + accepted + ", last delivered call started at "
                        + lastDeliveredStart.get(i));
            }
        }
        assertThat(undelivered).isEmpty();

        InvalidationStats stats = queue.stats();
        assertThat(stats.accepted() + stats.rejected()).isEqualTo((long) PRODUCERS * OFFERS_PER_PRODUCER);
        assertThat(stats.sent()).isEqualTo(sender.deliveredNames.get());
        assertThat(stats.calls()).isEqualTo(sender.calls.get());
        assertThat(stats.failed()).isPositive();
        assertThat(stats.depth()).isZero();
        assertThat(stats.inFlight()).isZero();
    }

    private void runProducers(InvalidationQueue queue) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            SplittableRandom random = new SplittableRandom(p);
            Thread producer = new Thread(() -> {
                awaitQuietly(start);
                for (int i = 0; i < OFFERS_PER_PRODUCER; i++) {
                    int index = random.nextInt(NAMES);
                    // Numbered before the offer: a call that starts after the acceptance gets a larger number.
                    long number = sequence.incrementAndGet();
                    if (queue.offer(name(index)).accepted()) {
                        lastAccepted.accumulateAndGet(index, number, Math::max);
                    }
                }
            }, "producer-" + p);
            producer.start();
            producers.add(producer);
        }
        start.countDown();
        for (Thread producer : producers) {
            producer.join();
        }
    }

    private static String name(int index) {
        return "video+" + index;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Completes calls on its own thread after 0-200 µs; fails about 20%; records violations. */
    private final class CheckingSender implements InvalidationSender {

        final AtomicInteger callsInFlight = new AtomicInteger();
        final Set<String> namesInFlight = ConcurrentHashMap.newKeySet();
        final AtomicLong deliveredNames = new AtomicLong();
        final AtomicLong calls = new AtomicLong();

        @Override
        public CompletionStage<Void> send(List<String> names) {
            calls.incrementAndGet();
            if (callsInFlight.incrementAndGet() != 1) {
                violations.add("two calls in flight at once, the second with " + names);
            }
            for (String name : names) {
                if (!namesInFlight.add(name)) {
                    violations.add(name + " in flight twice");
                }
            }
            long started = sequence.incrementAndGet();
            CompletableFuture<Void> result = new CompletableFuture<>();
            long delayMicros = ThreadLocalRandom.current().nextLong(200);
            boolean fail = ThreadLocalRandom.current().nextInt(5) == 0;
            senderThread.schedule(() -> {
                names.forEach(namesInFlight::remove);
                if (!fail) {
                    for (String name : names) {
                        int index = Integer.parseInt(name.substring("video+".length()));
                        lastDeliveredStart.accumulateAndGet(index, started, Math::max);
                    }
                    deliveredNames.addAndGet(names.size());
                }
                callsInFlight.decrementAndGet();
                if (fail) {
                    result.completeExceptionally(new RuntimeException("injected failure"));
                } else {
                    result.complete(null);
                }
            }, delayMicros, TimeUnit.MICROSECONDS);
            return result;
        }
    }
}
