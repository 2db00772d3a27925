package io.mistguard.proxy.invalidation.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.blocking.BlockingCalls;
import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.invalidation.InvalidationSender;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression (found by the chaos soak, issue #14): the invalidation queue ran on a
 * {@code ScheduledThreadPoolExecutor}, whose task queue is guarded by a lock. An event loop that
 * queued a name woke the idle drainer through that lock ({@code InvalidationQueue.offer} →
 * {@code Drainer.signal} → {@code schedule}), and so did the event loop that completed a call to
 * Mist; when the invalidation thread held the lock at that moment — likely on a busy machine, where
 * it can lose its core while holding it — the event loop parked. Under BlockHound that park threw
 * inside {@code Drainer.signal}, after the drainer had marked itself active and before anything was
 * scheduled: the caller's connection was closed without an answer, and the drainer never ran again.
 *
 * <p>Here event loops named like mistguard's (BlockHound watches them) hammer the queue the way
 * production does — offers from two loops, call completions on a third — while the drainer churns,
 * and the test stops the invalidation thread again and again for a fraction of a millisecond
 * wherever it happens to be, as a busy machine takes its core away: whatever it holds then, it
 * holds for a while. For up to {@value #MILLIS} ms or until the first blocking call; no blocking call
 * may be recorded ({@link BlockingCalls}; {@code BlockingCallGuard} checks after the test too), and
 * every name must be delivered in the end.
 */
class InvalidationOfferNeverBlocksAnEventLoopRegressionTest {

    private static final long MILLIS = 2_000;
    private static final int NAMES = 2_000;

    private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(3, new DefaultThreadFactory("mistguard-io", true),
            NioIoHandler.newFactory());
    private final AtomicBoolean done = new AtomicBoolean();

    @AfterEach
    void stop() {
        done.set(true);
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void offersAndCallCompletionsOnEventLoopsNeverParkThemAndEveryNameIsDelivered() throws Exception {
        EventLoop completer = loops.next();
        // Completes each call on an event loop, as the upstream client does, so the drainer's next step is
        // scheduled from there too.
        InvalidationSender sender = names -> {
            CompletableFuture<Void> call = new CompletableFuture<>();
            completer.execute(() -> call.complete(null));
            return call;
        };
        InvalidationService service = InvalidationService.start(InvalidationsConfig.defaults().withStateFile(null),
                sender, () -> true);
        List<String> blocked = new ArrayList<>();
        Thread preempter = preempt(invalidationThread());
        try {
            AtomicInteger next = new AtomicInteger();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MILLIS);
            while (System.nanoTime() < deadline && blocked.isEmpty()) {
                List<Future<?>> rounds = new ArrayList<>();
                for (int loop = 0; loop < 2; loop++) {
                    rounds.add(loops.next().submit(() -> {
                        for (int i = 0; i < 20_000; i++) {
                            service.queue().offer("video+" + next.getAndIncrement() % NAMES);
                        }
                    }));
                }
                for (Future<?> round : rounds) {
                    round.get(30, TimeUnit.SECONDS);
                }
                blocked.addAll(BlockingCalls.drain());
            }
            done.set(true);
            preempter.join();
            long drained = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (service.stats().depth() + service.stats().inFlight() > 0 && System.nanoTime() < drained) {
                Thread.sleep(10);
            }
            blocked.addAll(BlockingCalls.drain());
            assertThat(blocked).as("blocking calls on a mistguard event loop").isEmpty();
            assertThat(service.stats().depth() + service.stats().inFlight()).as("names still held").isZero();
        } finally {
            service.shutdown();
        }
    }

    private static Thread invalidationThread() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("mistguard-invalidations"))
                .findFirst().orElseThrow();
    }

    /** Suspends {@code victim} for 200 µs at random moments until the test is done. */
    @SuppressWarnings("removal") // Thread.suspend: the one way to take a thread's core away wherever it is
    private Thread preempt(Thread victim) {
        Thread t = new Thread(() -> {
            java.util.SplittableRandom random = new java.util.SplittableRandom(1);
            while (!done.get()) {
                victim.suspend();
                try {
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                } finally {
                    victim.resume();
                }
                java.util.concurrent.locks.LockSupport.parkNanos(random.nextLong(50_000, 300_000));
            }
        }, "preempter");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
