package io.mistguard.proxy.invalidation;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The state file's text format: a version header line, then one stream name per line, UTF-8, each
 * line ending in {@code \n}. Parsing is strict but salvaging: every bad line is reported with its
 * number and every good name is kept, so a damaged file loses nothing that can still be read.
 *
 * <p>What a tool or an editor adds that carries nothing is not damage. A line may end in
 * {@code \r\n} (a file edited on Windows): one trailing CR is part of the line ending, never of the
 * line, since no stream name can hold a control character. A file of nothing but whitespace (0 bytes
 * included) holds no names: an empty queue. Lines of only spaces or tabs before the header, a UTF-8
 * byte order mark or trailing spaces and tabs on the header line, and empty lines after it are
 * skipped; a name line is otherwise taken as it is (a name may begin or end with spaces, or be all
 * spaces).
 *
 * <p>Problem messages show file content through {@link #quote}, so what does not print (a CR above
 * all) shows escaped. Reading is streamed and holds one line at a time, each cut at
 * {@link #MAX_LINE_BYTES} (a longer line is a problem, not a buffer), and stops at a first line that
 * is not the header; a problem list names its first {@value #LISTED_PROBLEMS} lines and counts the
 * rest. So no file, however large or broken, costs more memory than the names it holds.
 *
 * <p>Stateless; thread-safe.
 */
final class StateFileFormat {

    static final String HEADER = "# mistguard invalidate_sessions queue v1";

    private static final byte[] HEADER_BYTES = HEADER.getBytes(StandardCharsets.UTF_8);

    /** How much of a line a problem message quotes. */
    private static final int QUOTED_MAX = 60;

    /**
     * The longest line kept: a stream name of {@link StreamNames#MAX_LENGTH} UTF-16 units takes at
     * most 3 bytes per unit in UTF-8, so any longer line is too long a name, and is not held whole.
     */
    static final int MAX_LINE_BYTES = 3 * StreamNames.MAX_LENGTH;

    /** How many bad lines a problem list names one by one; the rest are counted. */
    private static final int LISTED_PROBLEMS = 20;

    private StateFileFormat() {
    }

    /** The file's bytes for {@code names}, which must each pass {@link StreamNames#problem}. */
    static byte[] render(List<String> names) {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (String name : names) {
            text.append(name).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads {@code bytes}; {@code source} names the file in problem messages. */
    static Parsed parse(byte[] bytes, String source) {
        try {
            return parse(new ByteArrayInputStream(bytes), source);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
    }

    /**
     * Reads {@code in} to its end, or only up to a first line that is not the header; never holds
     * more than one line of at most {@link #MAX_LINE_BYTES}, whatever the input. Does not close it.
     *
     * @throws IOException when {@code in} cannot be read
     */
    static Parsed parse(InputStream in, String source) throws IOException {
        List<String> names = new ArrayList<>();
        Problems problems = new Problems(source);
        LineReader lines = new LineReader(in);
        boolean found;
        // Before the header a line past the limit is not read on: it is not the header, and reading
        // stops there (a state_file pointed at something else may be one huge line).
        while ((found = lines.next(false)) && lines.blank()) {
            // Only whitespace so far: what touch, a crash between create and write, or echo > file
            // leaves holds no names; an editor's blank line before the header carries nothing.
        }
        if (!found) {
            return new Parsed(names, List.of());
        }
        String headerProblem = headerProblem(lines);
        if (headerProblem != null) {
            // Another version or another file altogether: reading on would guess.
            problems.add(lines.number(), headerProblem);
            return new Parsed(List.of(), problems.list());
        }
        while (lines.next(true)) {
            if (lines.tooLong()) {
                problems.add(lines.number(), "stream name longer than " + StreamNames.MAX_LENGTH + " characters");
                continue;
            }
            if (lines.length() == 0) {
                continue; // no name is empty: an editor's extra line break
            }
            String line;
            try {
                line = decoder().decode(lines.bytes()).toString();
            } catch (CharacterCodingException e) {
                problems.add(lines.number(), "not valid UTF-8");
                continue;
            }
            String problem = StreamNames.problem(line);
            if (problem != null) {
                problems.add(lines.number(), problem);
                continue;
            }
            names.add(line);
        }
        return new Parsed(names, problems.list());
    }

    /**
     * {@code null} when {@code line} is the header, otherwise why not. A UTF-8 byte order mark before
     * it (Windows editors write one) and spaces or tabs after it (an editor's) are not part of it;
     * a line that is not UTF-8 is not the header either.
     */
    private static String headerProblem(LineReader line) {
        ByteBuffer bytes = line.bytes();
        byte[] array = bytes.array();
        int from = line.length() >= 3 && (array[0] & 0xFF) == 0xEF && (array[1] & 0xFF) == 0xBB
                && (array[2] & 0xFF) == 0xBF ? 3 : 0;
        int to = line.length();
        while (to > from && (array[to - 1] == ' ' || array[to - 1] == '\t')) {
            to--;
        }
        if (!line.tooLong() && Arrays.equals(array, from, to, HEADER_BYTES, 0, HEADER_BYTES.length)) {
            return null;
        }
        return "unknown header " + quote(decodeForDisplay(bytes)) + " (expected: \"" + HEADER + "\")";
    }

    /**
     * {@code bytes} as UTF-8, each byte that is not part of a valid sequence standing as a lone
     * surrogate {@code U+DC80..U+DCFF} (which valid UTF-8 never yields), shown by {@link #quote} as
     * {@code \xNN}.
     */
    private static String decodeForDisplay(ByteBuffer in) {
        CharsetDecoder decoder = decoder();
        CharBuffer out = CharBuffer.allocate(in.remaining());
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isUnderflow()) {
                break;
            }
            for (int i = 0; i < result.length(); i++) {
                out.put((char) (0xDC00 | (in.get() & 0xFF)));
            }
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    private static CharsetDecoder decoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /**
     * {@code text} in double quotes for a problem message: its first {@value #QUOTED_MAX} code points,
     * then {@code ...} if there were more, with quote and backslash escaped and everything that would
     * not show, or would show as something else, as an escape: {@code \t}, {@code \r}, {@code \n},
     * otherwise {@code \}{@code uXXXX} per UTF-16 unit (control and format characters, separators
     * other than the space, unassigned and private-use code points); a byte that was not UTF-8 (see
     * {@link #decodeForDisplay}) as {@code \xNN}.
     */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        int shown = 0;
        for (int i = 0; i < text.length(); shown++) {
            if (shown == QUOTED_MAX) {
                out.append("...");
                break;
            }
            int codePoint = text.codePointAt(i);
            int units = Character.charCount(codePoint);
            if (codePoint >= 0xDC80 && codePoint <= 0xDCFF) {
                // A byte that is not UTF-8 (see decodeForDisplay).
                out.append(String.format("\\x%02x", codePoint & 0xFF));
                i += units;
                continue;
            }
            switch (codePoint) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                default -> {
                    if (shows(codePoint)) {
                        out.appendCodePoint(codePoint);
                    } else {
                        for (int unit = i; unit < i + units; unit++) {
                            out.append(String.format("\\u%04x", (int) text.charAt(unit)));
                        }
                    }
                }
            }
            i += units;
        }
        return out.append('"').toString();
    }

    private static boolean shows(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.UNASSIGNED, Character.PRIVATE_USE, Character.SURROGATE -> false;
            case Character.SPACE_SEPARATOR -> codePoint == ' ';
            default -> true;
        };
    }

    /**
     * The lines of a stream, one at a time in one reused buffer: split at {@code \n}, less one
     * trailing {@code \r}; a missing final newline still yields the last line. A line longer than
     * {@link #MAX_LINE_BYTES} is {@link #tooLong()}: only its start is kept.
     */
    private static final class LineReader {

        private final InputStream in;
        private final byte[] chunk = new byte[8192];
        private int chunkPos;
        private int chunkEnd;
        /** One more than the limit: room for the CR of a line of the longest length. */
        private final byte[] line = new byte[MAX_LINE_BYTES + 1];
        private int length;
        private boolean tooLong;
        private int number;

        LineReader(InputStream in) {
            this.in = in;
        }

        /**
         * Moves to the next line; false at the end of the input. With {@code toItsEnd} false, a line
         * past the limit is left at the limit, unread, and no further line may be read.
         */
        boolean next(boolean toItsEnd) throws IOException {
            length = 0;
            tooLong = false;
            boolean any = false;
            while (true) {
                if (chunkPos == chunkEnd) {
                    chunkEnd = in.read(chunk);
                    chunkPos = 0;
                    if (chunkEnd <= 0) {
                        chunkEnd = 0;
                        break;
                    }
                }
                any = true;
                byte b = chunk[chunkPos++];
                if (b == '\n') {
                    break;
                }
                if (length < line.length) {
                    line[length++] = b;
                } else {
                    tooLong = true;
                    if (!toItsEnd) {
                        break;
                    }
                }
            }
            if (!any) {
                return false;
            }
            number++;
            if (!tooLong && length > 0 && line[length - 1] == '\r') {
                length--;
            }
            tooLong |= length > MAX_LINE_BYTES;
            return true;
        }

        /** The line's 1-based number in the input. */
        int number() {
            return number;
        }

        /** Bytes kept of the line: all of it unless {@link #tooLong()}. */
        int length() {
            return length;
        }

        boolean tooLong() {
            return tooLong;
        }

        /** A view of the bytes kept, valid until {@link #next}; its array starts at the line. */
        ByteBuffer bytes() {
            return ByteBuffer.wrap(line, 0, length);
        }

        /** Whether the line holds nothing but spaces and tabs (or nothing). */
        boolean blank() {
            if (tooLong) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if (line[i] != ' ' && line[i] != '\t') {
                    return false;
                }
            }
            return true;
        }
    }

    /** Problem messages, the first {@value #LISTED_PROBLEMS} listed and the rest counted. */
    private static final class Problems {

        private final String source;
        private final List<String> listed = new ArrayList<>();
        private int unlisted;

        Problems(String source) {
            this.source = source;
        }

        void add(int lineNumber, String problem) {
            if (listed.size() < LISTED_PROBLEMS) {
                listed.add(source + ":" + lineNumber + ": " + problem);
            } else {
                unlisted++;
            }
        }

        List<String> list() {
            if (unlisted == 0) {
                return listed;
            }
            List<String> all = new ArrayList<>(listed);
            all.add(source + ": " + unlisted + " more bad line(s) not listed");
            return all;
        }
    }

    /**
     * The names read and one message per bad line (the first {@value #LISTED_PROBLEMS}, then one counting
     * the rest); the file is corrupt when problems is non-empty.
     */
    record Parsed(List<String> names, List<String> problems) {
    }
}
