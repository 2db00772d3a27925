package io.mistguard.proxy.invalidation;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The state file's text format: a version header line, then one stream name per line, UTF-8, each
 * line ending in {@code \n}. Parsing is strict but salvaging: every bad line is reported with its
 * number and every good name is kept, so a damaged file loses nothing that can still be read.
 *
 * <p>Stateless; thread-safe.
 */
final class StateFileFormat {

    static final String HEADER = "# mistguard invalidate_sessions queue v1";

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
        List<byte[]> lines = splitLines(bytes);
        if (lines.isEmpty()) {
            problems.add(source + ":1: missing header (expected: \"" + HEADER + "\")");
            return new Parsed(names, problems);
        }
        for (int i = 0; i < lines.size(); i++) {
            int lineNumber = i + 1;
            String line;
            try {
                line = decoder().decode(ByteBuffer.wrap(lines.get(i))).toString();
            } catch (CharacterCodingException e) {
                problems.add(source + ":" + lineNumber + ": not valid UTF-8");
                continue;
            }
            if (i == 0) {
                if (!line.equals(HEADER)) {
                    // Another version or another file altogether: reading on would guess.
                    problems.add(source + ":1: unknown header \"" + abbreviate(line)
                            + "\" (expected: \"" + HEADER + "\")");
                    return new Parsed(List.of(), problems);
                }
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

    /** Lines split at {@code \n}; a missing final newline (torn write) still yields the last line. */
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
            byte[] line = new byte[i - start];
            System.arraycopy(bytes, start, line, 0, line.length);
            lines.add(line);
            start = i + 1;
        }
        return lines;
    }

    private static CharsetDecoder decoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private static String abbreviate(String line) {
        return line.length() <= 60 ? line : line.substring(0, 60) + "...";
    }

    /** The names read and one message per bad line; the file is corrupt when problems is non-empty. */
    record Parsed(List<String> names, List<String> problems) {
    }
}
