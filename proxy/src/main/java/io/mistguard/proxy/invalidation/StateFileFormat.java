package io.mistguard.proxy.invalidation;

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
 * <p>A line may also end in {@code \r\n} (a file edited on Windows): one trailing CR is part of the
 * line ending, never of the line, since no stream name can hold a control character. Problem messages
 * show file content through {@link #quote}, so what does not print (a CR above all) shows escaped.
 * A file of nothing but whitespace (0 bytes included) holds no names: it is an empty queue, not a
 * damaged file. Lines of nothing but whitespace before the header, and empty lines after it, carry
 * nothing and are skipped (a name may be all spaces, so only an empty name line is skipped).
 *
 * <p>Stateless; thread-safe.
 */
final class StateFileFormat {

    static final String HEADER = "# mistguard invalidate_sessions queue v1";

    private static final byte[] HEADER_BYTES = HEADER.getBytes(StandardCharsets.UTF_8);

    /** How much of a line a problem message quotes. */
    private static final int QUOTED_MAX = 60;

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
        List<String> names = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (blank(bytes)) {
            // What touch, a crash between create and write, or echo > file leaves: nothing to read.
            return new Parsed(names, problems);
        }
        List<byte[]> lines = splitLines(bytes);
        int header = 0;
        while (blank(lines.get(header))) {
            header++; // there is a line that is not blank: the file is not
        }
        String headerProblem = headerProblem(lines.get(header));
        if (headerProblem != null) {
            // Another version or another file altogether: reading on would guess.
            problems.add(source + ":" + (header + 1) + ": " + headerProblem);
            return new Parsed(List.of(), problems);
        }
        for (int i = header + 1; i < lines.size(); i++) {
            int lineNumber = i + 1;
            if (lines.get(i).length == 0) {
                continue; // no name is empty: an editor's extra line break
            }
            String line;
            try {
                line = decoder().decode(ByteBuffer.wrap(lines.get(i))).toString();
            } catch (CharacterCodingException e) {
                problems.add(source + ":" + lineNumber + ": not valid UTF-8");
                continue;
            }
            String problem = StreamNames.problem(line);
            if (problem != null) {
                problems.add(source + ":" + lineNumber + ": " + problem);
                continue;
            }
            names.add(line);
        }
        return new Parsed(names, problems);
    }

    /**
     * Lines split at {@code \n}, less one trailing {@code \r} each; a missing final newline (torn
     * write) still yields the last line.
     */
    private static List<byte[]> splitLines(byte[] bytes) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            boolean end = i == bytes.length;
            if (!end && bytes[i] != '\n') {
                continue;
            }
            if (end && start == i) {
                break;
            }
            int lineEnd = i > start && bytes[i - 1] == '\r' ? i - 1 : i;
            byte[] line = new byte[lineEnd - start];
            System.arraycopy(bytes, start, line, 0, line.length);
            lines.add(line);
            start = i + 1;
        }
        return lines;
    }

    /**
     * {@code null} when {@code line} is the header, otherwise why not. A UTF-8 byte order mark before
     * it (Windows editors write one) and spaces or tabs after it (an editor's) are not part of it;
     * a line that is not UTF-8 is not the header either.
     */
    private static String headerProblem(byte[] line) {
        int from = line.length >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB
                && (line[2] & 0xFF) == 0xBF ? 3 : 0;
        int to = line.length;
        while (to > from && (line[to - 1] == ' ' || line[to - 1] == '\t')) {
            to--;
        }
        if (Arrays.equals(line, from, to, HEADER_BYTES, 0, HEADER_BYTES.length)) {
            return null;
        }
        return "unknown header " + quote(decodeForDisplay(line)) + " (expected: \"" + HEADER + "\")";
    }

    /**
     * {@code bytes} as UTF-8, each byte that is not part of a valid sequence standing as a lone
     * surrogate {@code U+DC80..U+DCFF} (which valid UTF-8 never yields), shown by {@link #quote} as
     * {@code \xNN}.
     */
    private static String decodeForDisplay(byte[] bytes) {
        CharsetDecoder decoder = decoder();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
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

    /** Whether {@code bytes} hold nothing but spaces, tabs and line breaks (or nothing at all). */
    private static boolean blank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
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

    /** The names read and one message per bad line; the file is corrupt when problems is non-empty. */
    record Parsed(List<String> names, List<String> problems) {
    }
}
