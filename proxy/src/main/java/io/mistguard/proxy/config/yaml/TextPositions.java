package io.mistguard.proxy.config.yaml;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Where in a config file a problem the YAML parser cannot place lies, as {@code line:column} like
 * every other problem: a byte that is not UTF-8, a character YAML does not allow (found by review:
 * the first was reported for the whole file, the second "at offset 23"). Lines and columns are
 * 1-based; a line ends at LF, CR LF or a lone CR (YAML 1.2 §5.4; found by review: a file with CR
 * line endings was all line 1); a column counts characters (code points), as snakeyaml's marks do.
 * Stateless.
 */
final class TextPositions {

    private TextPositions() {}

    /**
     * {@code bytes} as UTF-8 text, or null after adding the problem of its first byte that is not
     * UTF-8, at its line and column.
     */
    static String utf8(byte[] bytes, Problems problems) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            String before = new String(bytes, 0, offset, StandardCharsets.UTF_8);
            int[] at = lineColumn(before, before.codePointCount(0, before.length()));
            problems.addAt(at[0], at[1], String.format("is not UTF-8 text: byte 0x%02X here (expected: a UTF-8 "
                                                        + "YAML file)", bytes[offset] & 0xff));
            return null;
        }
        out.flip();
        return out.toString();
    }

    /** The 1-based line and column of the code point at index {@code codePoint} of {@code text}. */
    static int[] lineColumn(String text, int codePoint) {
        int line = 1;
        int column = 1;
        int seen = 0;
        for (int i = 0; i < text.length() && seen < codePoint; seen++) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            boolean crBeforeLf = c == '\r' && i < text.length() && text.charAt(i) == '\n';
            if (c == '\n' || c == '\r' && !crBeforeLf) { // YAML's line breaks: LF, CR LF, and a lone CR
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new int[] {line, column};
    }
}
