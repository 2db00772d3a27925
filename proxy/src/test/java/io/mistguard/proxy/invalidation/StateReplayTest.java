package io.mistguard.proxy.invalidation;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.mistguard.proxy.logging.LogCapture;
import io.mistguard.proxy.time.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What start-up does with the state file: which names it queues and what it logs. */
class StateReplayTest {

    private static final Clock WALL = Clock.fixed(Instant.parse("2026-03-04T05:06:07Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private Path path;
    private StateFile file;
    private LogCapture log;

    @BeforeEach
    void setUp() {
        path = dir.resolve("inval.state");
        file = new StateFile(path, WALL);
        log = LogCapture.of(StateReplay.class.getName(), Level.INFO);
    }

    @AfterEach
    void tearDown() {
        log.close();
    }

    /**
     * A 0-byte file is what a crash between create and write, or an operator's {@code touch}, leaves:
     * it holds no names, so it is an empty queue, not a corrupt file to move aside and log as ERROR.
     */
    @Test
    void zeroByteStateFileIsAnEmptyQueueNotCorruptionRegression() throws IOException {
        Files.write(path, new byte[0]);
        PendingSet pending = new PendingSet(5, clock);

        int queued = StateReplay.replay(file, pending);

        assertThat(queued).isZero();
        assertThat(pending.heldNames()).isEmpty();
        assertThat(log.events()).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
        assertThat(messages(Level.INFO)).containsExactly(
                "invalidation state file " + path.toAbsolutePath() + " holds no names; nothing to replay");
        assertThat(siblings()).as("not moved aside").containsExactly(path);
    }

    /** A file naming one stream three times replays one invalidation, and the log says one. */
    @Test
    void replayCountsNamesQueuedNotLinesRegression() throws IOException {
        Files.writeString(path, StateFileFormat.HEADER + "\nc1\nc1\nc1\n");
        PendingSet pending = new PendingSet(5, clock);

        int queued = StateReplay.replay(file, pending);

        assertThat(queued).isOne();
        assertThat(pending.heldNames()).containsExactly("c1");
        assertThat(messages(Level.INFO)).singleElement().asString()
                .startsWith("replaying 1 invalidation(s) from " + path.toAbsolutePath());
    }

    /**
     * Replay queued every name of the file whatever {@code max_pending_names} said (20 names with a
     * bound of 5). It now meets the bound as a live offer does: the first names in file order are
     * queued, and the rest, which were accepted once and must not vanish, are written to a side file
     * and counted in one WARN line.
     */
    @Test
    void replayRespectsMaxPendingNamesRegression() throws IOException {
        List<String> names = IntStream.rangeClosed(1, 20).mapToObj(i -> String.format("video+%02d", i)).toList();
        Files.write(path, StateFileFormat.render(names));
        PendingSet pending = new PendingSet(5, clock);

        int queued = StateReplay.replay(file, pending);

        assertThat(queued).isEqualTo(5);
        assertThat(pending.heldNames()).containsExactlyElementsOf(names.subList(0, 5));
        assertThat(pending.offer("video+new")).as("the bound holds for live offers too")
                .isEqualTo(OfferOutcome.REJECTED_FULL);
        Path excess = path.resolveSibling("inval.state.excess-20260304T050607Z");
        assertThat(excess).exists();
        assertThat(new StateFile(excess, WALL).load().names()).containsExactlyElementsOf(names.subList(5, 20));
        assertThat(log.events()).filteredOn(event -> event.getLevel() == Level.WARN).singleElement()
                .extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("15 name(s)", "max_pending_names (5)", excess.toString());
    }

    /** Names already held coalesce however full the queue is, and only distinct excess names are kept. */
    @Test
    void excessNamesAreKeptOnceAndRepeatsOfQueuedNamesAreNotExcess() throws IOException {
        Files.write(path, StateFileFormat.render(List.of("a", "b", "c", "a", "c", "c", "d")));
        PendingSet pending = new PendingSet(2, clock);

        assertThat(StateReplay.replay(file, pending)).isEqualTo(2);

        assertThat(pending.heldNames()).containsExactly("a", "b");
        Path excess = path.resolveSibling("inval.state.excess-20260304T050607Z");
        assertThat(new StateFile(excess, WALL).load().names()).containsExactly("c", "d");
    }

    /**
     * Replayed names all get the same ticker reading when the clock does not move between them, and
     * the checkpoint sorted those ties by name: the next file lost the order, so a bound met on the
     * next start kept the alphabetically first names rather than the oldest.
     */
    @Test
    void replayedNamesAreCheckpointedInFileOrderRegression() throws IOException {
        Files.write(path, StateFileFormat.render(List.of("video+c", "video+a", "video+b")));
        PendingSet pending = new PendingSet(5, clock);

        StateReplay.replay(file, pending);

        assertThat(pending.heldNames()).containsExactly("video+c", "video+a", "video+b");
    }

    @Test
    void aCorruptFileIsStillAnErrorWithItsProblemsEscaped() throws IOException {
        Files.writeString(path, "# mistguard invalidate_sessions queue v2\u001b\nvideo+a\n");

        assertThat(StateReplay.replay(file, new PendingSet(5, clock))).isZero();

        assertThat(messages(Level.ERROR)).singleElement().asString()
                .contains("queue v2\\u001b\"").doesNotContain("\u001b");
    }

    private List<String> messages(Level level) {
        return log.events().stream().filter(event -> event.getLevel() == level)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    private List<Path> siblings() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return new ArrayList<>(files.toList());
        }
    }
}
