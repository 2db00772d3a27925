package io.mistguard.proxy.invalidation;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.time.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints, shutdown grace and replay on restart, through {@link InvalidationQueue}. */
class DurabilityTest {

    /** Enforced by the sender, which these tests script; the queue itself never reads it. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

    private static final Duration CHECKPOINT = Duration.ofSeconds(5);
    private static final Duration GRACE = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final ScriptedSender sender = new ScriptedSender();

    private InvalidationQueue start(ScriptedSender sender) {
        InvalidationsConfig config = new InvalidationsConfig(2, 100, CALL_TIMEOUT, Duration.ofMillis(100),
                Duration.ofSeconds(1), Duration.ofSeconds(1), CHECKPOINT, dir.resolve("inval.state"), GRACE);
        return InvalidationQueue.builder(config, sender, clock).ticker(clock).jitter(() -> 0.5)
                .wallClock(Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC)).start();
    }

    @Test
    void checkpointsHeldNamesEveryIntervalOnlyWhenChanged() throws IOException {
        InvalidationQueue queue = start(sender);
        queue.offer("video+a");
        queue.offer("video+b");
        queue.offer("video+c");
        clock.advance(CHECKPOINT);

        assertThat(stateLines()).containsExactly("video+a", "video+b", "video+c"); // in flight counts
        assertThat(queue.stats().checkpointsWritten()).isEqualTo(1);

        clock.advance(CHECKPOINT.multipliedBy(3));
        assertThat(queue.stats().checkpointsWritten()).as("unchanged, not rewritten").isEqualTo(1);

        sender.succeed();
        clock.advance(CHECKPOINT);
        assertThat(stateLines()).containsExactly("video+c");
        sender.succeed();
        clock.advance(CHECKPOINT);
        assertThat(dir.resolve("inval.state")).doesNotExist();
        assertThat(queue.stats().checkpointsWritten()).isEqualTo(3);
    }

    @Test
    void shutdownThatDrainsInTimeLeavesNoFile() {
        InvalidationQueue queue = start(sender);
        queue.offer("video+a");
        clock.runDue();
        CompletableFuture<ShutdownReport> done = queue.shutdown().toCompletableFuture();
        assertThat(queue.offer("video+b")).as("accepted: delivered within the grace").isEqualTo(OfferOutcome.QUEUED);

        sender.succeed();
        clock.runDue();
        sender.succeed();
        clock.runDue();

        assertThat(done).isCompletedWithValue(new ShutdownReport(true, List.of(), dir.resolve("inval.state")));
        assertThat(dir.resolve("inval.state")).doesNotExist();
        assertThat(queue.offer("video+c")).isEqualTo(OfferOutcome.REJECTED_SHUTDOWN);
        assertThat(queue.shutdown()).isSameAs(done);
    }

    /** A relative state file is resolved when the queue starts, so the report (and the logs) name it in full. */
    @Test
    void relativeStateFileIsReportedInFull() {
        Path relative = Path.of("target", "durability-relative.state"); // surefire runs in the module directory
        InvalidationsConfig config = new InvalidationsConfig(2, 100, CALL_TIMEOUT, Duration.ofMillis(100),
                Duration.ofSeconds(1), Duration.ofSeconds(1), CHECKPOINT, relative, GRACE);
        InvalidationQueue queue = InvalidationQueue.builder(config, sender, clock).ticker(clock).start();

        CompletableFuture<ShutdownReport> done = queue.shutdown().toCompletableFuture();
        clock.runDue();

        assertThat(done).isCompletedWithValue(new ShutdownReport(true, List.of(), relative.toAbsolutePath()));
        assertThat(relative).doesNotExist();
    }

    @Test
    void shutdownWritesWhatIsLeftWhenTheGraceEnds() throws IOException {
        InvalidationQueue queue = start(sender);
        List.of("video+a", "video+b", "video+c").forEach(queue::offer);
        clock.runDue(); // a and b in a call that never ends

        CompletableFuture<ShutdownReport> done = queue.shutdown().toCompletableFuture();
        clock.advance(GRACE.minusMillis(1));
        assertThat(done).isNotDone();
        clock.advance(Duration.ofMillis(1));

        assertThat(done).isCompletedWithValue(new ShutdownReport(false,
                List.of("video+a", "video+b", "video+c"), dir.resolve("inval.state")));
        assertThat(stateLines()).containsExactly("video+a", "video+b", "video+c");
        assertThat(queue.offer("video+d")).isEqualTo(OfferOutcome.REJECTED_SHUTDOWN);

        sender.succeed(); // the abandoned call ends late: nothing changes any more
        clock.advance(CHECKPOINT.multipliedBy(2));
        assertThat(stateLines()).containsExactly("video+a", "video+b", "video+c");
        assertThat(clock.pendingTasks()).isZero();
    }

    /**
     * A passed grace decides: a backoff due just before the grace ends, which the scheduler's thread
     * runs late (the clock already past the grace, the grace's own task not yet run), used to start
     * one more call at Mist after the grace. Now it ends the drainer, as the grace's task would have.
     */
    @Test
    void backoffRunLateAfterTheGraceStartsNoCallRegression() throws IOException {
        long[] lateBy = {0};
        InvalidationsConfig config = new InvalidationsConfig(2, 100, CALL_TIMEOUT, Duration.ofMillis(100),
                Duration.ofSeconds(1), Duration.ofSeconds(1), CHECKPOINT, dir.resolve("inval.state"), GRACE);
        InvalidationQueue queue = InvalidationQueue.builder(config, sender, clock)
                .ticker(() -> clock.nanoTime() + lateBy[0]).jitter(() -> 0.5).start();
        queue.offer("video+a");
        clock.runDue();
        CompletableFuture<ShutdownReport> done = queue.shutdown().toCompletableFuture();
        clock.advance(GRACE.minusMillis(200));
        sender.fail(); // its backoff (at most 100 ms) falls due before the grace ends
        clock.runDue();
        assertThat(sender.calls()).hasSize(1);

        lateBy[0] = Duration.ofMillis(200).toNanos(); // the thread runs the backoff 200 ms late
        clock.advance(Duration.ofMillis(100));

        assertThat(sender.calls()).as("no call after the grace").hasSize(1);
        assertThat(done).isCompletedWithValue(new ShutdownReport(false, List.of("video+a"),
                dir.resolve("inval.state")));
        assertThat(stateLines()).containsExactly("video+a");
        assertThat(clock.pendingTasks()).as("the grace's task was cancelled").isZero();
    }

    @Test
    void restartReplaysTheStateFileBeforeNewNames() throws IOException {
        Files.writeString(dir.resolve("inval.state"), StateFileFormat.HEADER + "\nvideo+old1\nvideo+old2\n");

        InvalidationQueue queue = start(sender);
        queue.offer("video+new");
        queue.offer("video+old2");
        clock.runDue();
        sender.succeed();
        clock.runDue();

        assertThat(sender.calls()).containsExactly(List.of("video+old1", "video+old2"), List.of("video+new"));
        assertThat(queue.stats().coalesced()).isEqualTo(1);
    }

    @Test
    void corruptStateFileIsMovedAsideAndDoesNotPreventStart() throws IOException {
        Files.writeString(dir.resolve("inval.state"), StateFileFormat.HEADER + "\nvideo+a\n\tbad\n");

        InvalidationQueue queue = start(sender);
        clock.runDue();

        assertThat(sender.calls()).containsExactly(List.of("video+a"));
        assertThat(dir.resolve("inval.state.corrupt-20260102T030405Z")).exists();
        clock.advance(CHECKPOINT);
        assertThat(stateLines()).as("salvaged names are checkpointed to a clean file").containsExactly("video+a");
        assertThat(queue.stats().depth()).isZero();
    }

    private List<String> stateLines() throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("inval.state"));
        assertThat(lines.get(0)).isEqualTo(StateFileFormat.HEADER);
        return lines.subList(1, lines.size());
    }
}
