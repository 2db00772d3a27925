package io.mistguard.proxy.invalidation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.mistguard.proxy.logging.LogCapture;

import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.time.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The drainer's scheduling, driven through {@link InvalidationQueue} on fake time. */
class DrainerTest {

    /** Enforced by the sender, which these tests script; the queue itself never reads it. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

    private static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofMillis(800);
    private static final Duration RECHECK = Duration.ofSeconds(1);

    private final ManualClock clock = new ManualClock();
    private final ScriptedSender sender = new ScriptedSender();
    private final AtomicBoolean breakerClosed = new AtomicBoolean(true);
    private final InvalidationQueue queue = InvalidationQueue
            .builder(new InvalidationsConfig(2, 100, CALL_TIMEOUT, INITIAL_BACKOFF, MAX_BACKOFF, RECHECK,
                    Duration.ofSeconds(5), null, Duration.ofSeconds(3)), sender, clock)
            .ticker(clock)
            .mayCall(breakerClosed::get)
            .jitter(() -> 0.5)
            .start();

    @Test
    void queuedNameWakesTheIdleDrainerWithoutTimePassing() {
        clock.runDue();
        assertThat(clock.pendingTasks()).as("an idle drainer schedules nothing").isZero();

        assertThat(queue.offer("video+a")).isEqualTo(OfferOutcome.QUEUED);
        clock.runDue();

        assertThat(sender.calls()).containsExactly(List.of("video+a"));
    }

    @Test
    void batchesUpToBatchSizeOneCallAtATime() {
        List.of("a", "b", "c", "d", "e").forEach(queue::offer);
        clock.runDue();
        assertThat(sender.calls()).containsExactly(List.of("a", "b"));

        queue.offer("f");
        clock.advance(Duration.ofSeconds(10));
        assertThat(sender.calls()).as("no second call while one is in flight").hasSize(1);

        sender.succeed();
        clock.runDue();
        sender.succeed();
        clock.runDue();
        sender.succeed();
        clock.runDue();

        assertThat(sender.calls()).containsExactly(List.of("a", "b"), List.of("c", "d"), List.of("e", "f"));
        assertThat(sender.inFlight()).isFalse();
        assertThat(queue.stats()).extracting(InvalidationStats::calls, InvalidationStats::sent,
                InvalidationStats::depth).containsExactly(3L, 6L, 0);
    }

    /** Issue 13: a delivered batch left no trace in the log; now one INFO line per call, without names. */
    @Test
    void eachDeliveredBatchLogsOneInfoLineRegression() {
        try (LogCapture log = LogCapture.of(Drainer.class.getName(), Level.INFO)) {
            List.of("video+a", "video+b", "video+c").forEach(queue::offer);
            clock.runDue();
            sender.succeed();
            clock.runDue();
            sender.succeed();
            clock.runDue();

            assertThat(log.events()).extracting(ILoggingEvent::getLevel, ILoggingEvent::getFormattedMessage)
                    .containsExactly(
                            tuple(Level.INFO, "invalidate_sessions delivered for 2 stream(s) in one call"),
                            tuple(Level.INFO, "invalidate_sessions delivered for 1 stream(s) in one call"));
        }
    }

    @Test
    void nameRequestedDuringItsFlightIsSentOnceMoreAfterwards() {
        queue.offer("a");
        clock.runDue();
        assertThat(queue.offer("a")).isEqualTo(OfferOutcome.REQUEUED_AFTER_FLIGHT);
        assertThat(queue.offer("a")).isEqualTo(OfferOutcome.COALESCED);

        sender.succeed();
        clock.runDue();
        sender.succeed();
        clock.runDue();

        assertThat(sender.calls()).containsExactly(List.of("a"), List.of("a"));
        assertThat(queue.stats()).extracting(InvalidationStats::accepted, InvalidationStats::requeued,
                InvalidationStats::coalesced).containsExactly(3L, 1L, 1L);
    }

    @Test
    void failedCallIsRetriedAfterAJitteredBackoffThatGrowsAndIsCapped() {
        queue.offer("a");
        clock.runDue();
        // jitter 0.5: delays are half of 100, 200, 400, 800, 800 ms
        for (long expectedMillis : new long[] {50, 100, 200, 400, 400}) {
            int callsBefore = sender.calls().size();
            sender.fail();
            clock.runDue();
            assertThat(clock.nextDelay()).isEqualTo(Duration.ofMillis(expectedMillis));
            clock.advance(Duration.ofMillis(expectedMillis - 1));
            assertThat(sender.calls()).hasSize(callsBefore);
            clock.advance(Duration.ofMillis(1));
            assertThat(sender.calls()).hasSize(callsBefore + 1);
        }
        sender.succeed();
        clock.runDue();

        assertThat(sender.calls()).hasSize(6).allSatisfy(call -> assertThat(call).containsExactly("a"));
        assertThat(queue.stats()).extracting(InvalidationStats::failed, InvalidationStats::retried,
                InvalidationStats::sent, InvalidationStats::depth).containsExactly(5L, 5L, 1L, 0);
    }

    @Test
    void successResetsTheBackoff() {
        queue.offer("a");
        clock.runDue();
        sender.fail();
        clock.advance(Duration.ofMillis(50));
        sender.fail();
        clock.advance(Duration.ofMillis(100));
        sender.succeed();
        queue.offer("b");
        clock.runDue();
        sender.fail();
        clock.runDue();
        assertThat(clock.nextDelay()).isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void pausesWhileTheBreakerIsOpenAndRechecksAtTheInterval() {
        breakerClosed.set(false);
        queue.offer("a");
        clock.runDue();
        clock.advance(RECHECK.multipliedBy(3));
        assertThat(sender.calls()).isEmpty();

        breakerClosed.set(true);
        clock.advance(RECHECK.minusMillis(1));
        assertThat(sender.calls()).isEmpty();
        clock.advance(Duration.ofMillis(1));

        assertThat(sender.calls()).containsExactly(List.of("a"));
    }

    @Test
    void openBreakerWithNothingQueuedSchedulesNothing() {
        breakerClosed.set(false);
        clock.runDue();
        assertThat(clock.pendingTasks()).isZero();
    }

    @Test
    void breakerThatThrowsDoesNotStallTheDrainer() {
        AtomicInteger checks = new AtomicInteger();
        InvalidationQueue guarded = InvalidationQueue
                .builder(new InvalidationsConfig(10, 10, CALL_TIMEOUT, INITIAL_BACKOFF, MAX_BACKOFF, RECHECK,
                        Duration.ofSeconds(5), null, Duration.ZERO), sender, clock)
                .ticker(clock)
                .mayCall(() -> {
                    if (checks.incrementAndGet() == 1) {
                        throw new IllegalStateException("breaker bug");
                    }
                    return true;
                })
                .start();

        guarded.offer("a");
        clock.runDue();
        assertThat(sender.calls()).isEmpty();
        clock.advance(RECHECK);

        assertThat(sender.calls()).containsExactly(List.of("a"));
    }

    @Test
    void senderThatThrowsOrReturnsNullCountsAsAFailedCall() {
        AtomicInteger attempts = new AtomicInteger();
        InvalidationQueue broken = InvalidationQueue
                .builder(new InvalidationsConfig(10, 10, CALL_TIMEOUT, INITIAL_BACKOFF, MAX_BACKOFF, RECHECK,
                        Duration.ofSeconds(5), null, Duration.ZERO), names -> {
                            int attempt = attempts.incrementAndGet();
                            if (attempt == 1) {
                                throw new IllegalStateException("boom");
                            }
                            return attempt == 2 ? null : CompletableFuture.completedFuture(null);
                        }, clock)
                .ticker(clock).jitter(() -> 0.0).start();

        broken.offer("a");
        clock.advance(Duration.ofSeconds(1));

        assertThat(attempts).hasValue(3);
        assertThat(broken.stats()).extracting(InvalidationStats::failed, InvalidationStats::sent)
                .containsExactly(2L, 1L);
    }

    @Test
    void statsReportOldestUndeliveredAge() {
        queue.offer("a");
        clock.advance(Duration.ofSeconds(4)); // call starts at once but stays in flight
        queue.offer("b");
        InvalidationStats stats = queue.stats();
        assertThat(stats.oldestPendingAge()).isEqualTo(Duration.ofSeconds(4));
        assertThat(stats.inFlight()).isEqualTo(1);
        assertThat(stats.depth()).isEqualTo(1);
    }
}
