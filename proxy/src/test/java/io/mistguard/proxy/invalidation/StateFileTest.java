package io.mistguard.proxy.invalidation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StateFileTest {

    private static final Clock WALL = Clock.fixed(Instant.parse("2026-03-04T05:06:07Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void roundTripsNamesWithAHeaderAndLeavesNoTemporaryFiles() throws IOException {
        StateFile file = new StateFile(dir.resolve("inval.state"), WALL);
        file.write(List.of("video+a", "video+ünïcode"));

        assertThat(Files.readString(dir.resolve("inval.state")))
                .isEqualTo(StateFileFormat.HEADER + "\nvideo+a\nvideo+ünïcode\n");
        assertThat(file.load().names()).containsExactly("video+a", "video+ünïcode");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(dir.resolve("inval.state"));
        }
    }

    /**
     * The default state_file is a bare name, whose {@code getParent()} is null; its temporary file
     * must still be made beside it, not in java.io.tmpdir (an atomic move from a tmpfs /tmp fails).
     * Here /tmp and the working directory may share a file system, so this is a smoke test.
     */
    @Test
    void bareFileNameIsWrittenInTheWorkingDirectory() throws IOException {
        Path bare = Path.of("statefile-test-" + ProcessHandle.current().pid() + ".state");
        try {
            new StateFile(bare, WALL).write(List.of("video+a"));
            assertThat(new StateFile(bare, WALL).load().names()).containsExactly("video+a");
        } finally {
            Files.deleteIfExists(bare);
        }
    }

    @Test
    void noNamesMeansNoFile() throws IOException {
        StateFile file = new StateFile(dir.resolve("inval.state"), WALL);
        file.write(List.of("video+a"));
        file.write(List.of());
        assertThat(dir.resolve("inval.state")).doesNotExist();
        assertThat(file.load()).isEqualTo(new StateFile.Loaded(List.of(), List.of(), null, false));
    }

    @Test
    void badLinesAreReportedByFileAndLineAndGoodNamesSalvaged() throws IOException {
        Path path = dir.resolve("inval.state");
        byte[] invalidUtf8 = {(byte) 0xC3, (byte) 0x28};
        Files.write(path, concat(StateFileFormat.HEADER + "\nvideo+a\n\tbad\nvideo+b\n", invalidUtf8, "\nvideo+c"));

        StateFile.Loaded loaded = new StateFile(path, WALL).load();

        assertThat(loaded.names()).containsExactly("video+a", "video+b", "video+c");
        assertThat(loaded.problems()).containsExactly(
                path.toAbsolutePath() + ":3: control character at position 0 of stream name",
                path.toAbsolutePath() + ":5: not valid UTF-8");
        assertThat(loaded.movedTo()).isEqualTo(path.toAbsolutePath().resolveSibling("inval.state.corrupt-20260304T050607Z"));
        assertThat(path).doesNotExist();
        assertThat(loaded.movedTo()).exists();
    }

    @Test
    void unknownHeaderRejectsTheWholeFileAndKeepsEarlierCorruptCopies() throws IOException {
        Path path = dir.resolve("inval.state");
        Files.writeString(path, "# mistguard invalidate_sessions queue v2\nvideo+a\n");
        Path first = new StateFile(path, WALL).load().movedTo();
        Files.writeString(path, "video+b\n");

        StateFile.Loaded second = new StateFile(path, WALL).load();

        assertThat(second.problems()).singleElement().asString().endsWith(":1: unknown header \"video+b\" (expected: \""
                + StateFileFormat.HEADER + "\")");
        assertThat(second.movedTo()).isNotEqualTo(first).hasFileName("inval.state.corrupt-20260304T050607Z-1");
        assertThat(first).content(StandardCharsets.UTF_8).contains("v2");
    }

    @Test
    void headerOfAnotherVersionIsNamedInTheProblem() {
        StateFileFormat.Parsed parsed = StateFileFormat.parse(
                "# something else\nvideo+a\n".getBytes(StandardCharsets.UTF_8), "f.state");
        assertThat(parsed.names()).isEmpty();
        assertThat(parsed.problems()).containsExactly("f.state:1: unknown header \"# something else\" (expected: \""
                + StateFileFormat.HEADER + "\")");
    }

    /**
     * A file written with CRLF line endings (edited on Windows, or by a tool that writes them) was
     * moved aside with nothing queued, its header "unknown" because of the invisible CR. A stream
     * name can never hold a CR (no control characters), so one trailing CR per line is a line ending.
     */
    @Test
    void crlfLineEndingsAreReadNotMovedAsideRegression() throws IOException {
        Path path = dir.resolve("inval.state");
        Files.writeString(path, "# mistguard invalidate_sessions queue v1\r\nc1\r\nc2\nc3\r");

        StateFile.Loaded loaded = new StateFile(path, WALL).load();

        assertThat(loaded.problems()).isEmpty();
        assertThat(loaded.names()).containsExactly("c1", "c2", "c3");
        assertThat(loaded.movedTo()).isNull();
        assertThat(path).exists();
    }

    /**
     * The unknown-header message quoted the line raw, so a stray CR (or any control character) made
     * it print two identical-looking strings. Quoted file content now shows them escaped.
     */
    @Test
    void quotedFileContentShowsControlCharactersRegression() {
        StateFileFormat.Parsed parsed = StateFileFormat.parse(
                (StateFileFormat.HEADER + "\r\r\nc1\n").getBytes(StandardCharsets.UTF_8), "f.state");

        assertThat(parsed.names()).isEmpty();
        assertThat(parsed.problems()).containsExactly("f.state:1: unknown header \"" + StateFileFormat.HEADER
                + "\\r\" (expected: \"" + StateFileFormat.HEADER + "\")");
        assertThat(StateFileFormat.parse("a\tb\u0000\u007f\u0085\u200b\"\\\nc1\n".getBytes(StandardCharsets.UTF_8), "f")
                .problems()).containsExactly("f:1: unknown header \"a\\tb\\u0000\\u007f\\u0085\\u200b\\\"\\\\\""
                        + " (expected: \"" + StateFileFormat.HEADER + "\")");
    }

    /** What {@code touch} or {@code echo > file} leaves holds no names: an empty queue, not corruption. */
    @ParameterizedTest
    @ValueSource(strings = {"", "\n", "\r\n", " \t\r\n\n"})
    void fileWithNothingButWhitespaceIsAnEmptyQueueRegression(String content) throws IOException {
        Path path = dir.resolve("inval.state");
        Files.writeString(path, content);

        StateFile.Loaded loaded = new StateFile(path, WALL).load();

        assertThat(loaded.names()).isEmpty();
        assertThat(loaded.problems()).isEmpty();
        assertThat(loaded.movedTo()).isNull();
    }

    /**
     * A first line that is not UTF-8 was reported as "not valid UTF-8" and reading went on without a
     * header, queueing whatever followed (a binary file's "lines"). It is an unknown header.
     */
    @Test
    void firstLineThatIsNotUtf8QueuesNothingRegression() {
        byte[] bytes = concat("", new byte[] {(byte) 0xFF, 'v', (byte) 0xC3}, "\nvideo+a\n");

        StateFileFormat.Parsed parsed = StateFileFormat.parse(bytes, "f.state");

        assertThat(parsed.names()).isEmpty();
        assertThat(parsed.problems()).containsExactly("f.state:1: unknown header \"\\xffv\\xc3\" (expected: \""
                + StateFileFormat.HEADER + "\")");
    }

    /** Windows editors may start a UTF-8 file with a byte order mark; it is not part of the header. */
    @Test
    void headerAfterAByteOrderMarkIsReadRegression() {
        byte[] bytes = concat("", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                StateFileFormat.HEADER + "\r\nc1\r\n");

        StateFileFormat.Parsed parsed = StateFileFormat.parse(bytes, "f.state");

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.names()).containsExactly("c1");
    }

    /** Spaces or tabs an editor left after the header change nothing; after a name they are the name's. */
    @Test
    void trailingWhitespaceEndsTheHeaderButBelongsToANameRegression() {
        StateFileFormat.Parsed parsed = StateFileFormat.parse(
                (StateFileFormat.HEADER + " \t\nc1 \n c2\n").getBytes(StandardCharsets.UTF_8), "f.state");

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.names()).containsExactly("c1 ", " c2");
    }

    @Test
    void headerOnlyFileIsAnEmptyQueue() {
        for (String content : List.of(StateFileFormat.HEADER, StateFileFormat.HEADER + "\n", StateFileFormat.HEADER + "\r\n")) {
            StateFileFormat.Parsed parsed = StateFileFormat.parse(content.getBytes(StandardCharsets.UTF_8), "f.state");
            assertThat(parsed.names()).isEmpty();
            assertThat(parsed.problems()).isEmpty();
        }
    }

    @Test
    void aMissingFinalNewlineStillReadsTheLastName() {
        StateFileFormat.Parsed parsed = StateFileFormat.parse(
                (StateFileFormat.HEADER + "\nc1\nc2").getBytes(StandardCharsets.UTF_8), "f.state");
        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.names()).containsExactly("c1", "c2");
    }

    /** Whatever the queue accepts, the file gives back unchanged: spaces, slashes, non-ASCII, U+2028. */
    @Test
    void everyAcceptedNameRoundTripsVerbatim() throws IOException {
        List<String> names = List.of(" lead", "trail ", "a b", "x/y", "\u00fcn\u00efcode", "sep\u2028arator",
                "\ufeffbom-inside", "emoji\ud83d\ude00", "   ");
        names.forEach(name -> assertThat(StreamNames.problem(name)).as(name).isNull());
        StateFile file = new StateFile(dir.resolve("inval.state"), WALL);
        file.write(names);

        assertThat(file.load()).isEqualTo(new StateFile.Loaded(names, List.of(), null, true));
    }

    /** An empty line cannot be a name and carries nothing, e.g. the extra newline an editor adds. */
    @Test
    void emptyLinesAreSkippedNotCorruptionRegression() {
        StateFileFormat.Parsed parsed = StateFileFormat.parse(
                ("\n" + StateFileFormat.HEADER + "\nc1\n\n\r\nc2\n\n").getBytes(StandardCharsets.UTF_8), "f.state");

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.names()).containsExactly("c1", "c2");
        assertThat(StateFileFormat.parse(" \n# other\nc1\n".getBytes(StandardCharsets.UTF_8), "f.state").problems())
                .containsExactly("f.state:2: unknown header \"# other\" (expected: \"" + StateFileFormat.HEADER + "\")");
    }

    /**
     * A state_file pointed at something big and not a state file was read whole before its first
     * line was even looked at (past 2 GiB, an OutOfMemoryError at start). Reading stops at a first
     * line that is not the header, and no line is held beyond what a stream name can need. The file
     * is sparse, so it costs no disk.
     */
    @Test
    void hugeFileWithoutTheHeaderIsNotReadWholeRegression() throws IOException {
        Path path = dir.resolve("inval.state");
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
            raf.setLength((1L << 31) + 1);
        }

        StateFile.Loaded loaded = new StateFile(path, WALL).load();

        assertThat(loaded.names()).isEmpty();
        assertThat(loaded.problems()).singleElement().asString()
                .contains(":1: unknown header \"" + "\\u0000".repeat(60) + "...\"");
        assertThat(loaded.movedTo()).exists();
    }

    @Test
    void veryLongLinesAreReportedAndTheRestIsRead() {
        String longName = "x".repeat(5_000_000);
        StateFileFormat.Parsed parsed = StateFileFormat.parse(
                (StateFileFormat.HEADER + "\nc1\n" + longName + "\nc2").getBytes(StandardCharsets.UTF_8), "f.state");

        assertThat(parsed.names()).containsExactly("c1", "c2");
        assertThat(parsed.problems()).singleElement().asString()
                .startsWith("f.state:3: ").contains("longer than " + StreamNames.MAX_LENGTH + " characters");
    }

    /** The longest name the queue accepts, in 3-byte characters, fits the line limit. */
    @Test
    void theLongestAcceptedNameRoundTrips() throws IOException {
        String longest = "\u20ac".repeat(StreamNames.MAX_LENGTH);
        assertThat(StreamNames.problem(longest)).isNull();
        StateFile file = new StateFile(dir.resolve("inval.state"), WALL);
        file.write(List.of(longest, "video+a"));

        assertThat(file.load()).isEqualTo(new StateFile.Loaded(List.of(longest, "video+a"), List.of(), null, true));
    }

    /** Every bad line was listed, so a file of garbage made one ERROR line as long as the file. */
    @Test
    void aFileOfBadLinesDoesNotFloodTheLogRegression() {
        String bad = StateFileFormat.HEADER + "\n" + "\tbad\n".repeat(1000) + "c1\n";

        StateFileFormat.Parsed parsed = StateFileFormat.parse(bad.getBytes(StandardCharsets.UTF_8), "f.state");

        assertThat(parsed.names()).containsExactly("c1");
        assertThat(parsed.problems()).hasSize(21).startsWith("f.state:2: control character at position 0 of stream name");
        assertThat(parsed.problems().get(20)).isEqualTo("f.state: 980 more bad line(s) not listed");
    }

    private static byte[] concat(String head, byte[] middle, String tail) {
        byte[] a = head.getBytes(StandardCharsets.UTF_8);
        byte[] c = tail.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[a.length + middle.length + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(middle, 0, all, a.length, middle.length);
        System.arraycopy(c, 0, all, a.length + middle.length, c.length);
        return all;
    }
}
