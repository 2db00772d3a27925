package io.mistguard.proxy.net;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;

/**
 * The field lines of an HTTP/1.1 head, read in one pass from a copy of its bytes when they are of
 * the plainest form, for the one-pass parsers of whole messages ({@link WholeRequestParser},
 * {@code upstream.WholeAnswerParser}). Taken: lines {@code token ":" OWS value OWS CRLF} (RFC 9110
 * §5.1, §5.5; RFC 9112 §5) whose values hold only visible ASCII, spaces and tabs, at most
 * {@value #MAX_FIELDS} of them, ended by an empty line; at most one {@code Content-Length}, of 1 to
 * 9 digits without a leading zero; none of the names the caller declines. Declined: anything else —
 * bare CR or LF, obs-fold, whitespace before a colon, obs-text, NUL and other control bytes, a head
 * that goes on past the bytes given — so that Netty's decoder, and the rules mistguard puts on it,
 * see it instead.
 *
 * <p>The fields are made with the decoder's own fields factory, names as {@link AsciiString} and
 * values as strings, trailing whitespace trimmed, in the order they came: the same fields the
 * decoder would make.
 *
 * <p>Also the scratch copy of the head the parsers read from. One instance per thread
 * ({@link #ofThisThread}), shared by the parsers that run there, not one per parser: a parser lives
 * as long as its connection, and 5 KiB of scratch per connection would be ~50 MiB of heap (of
 * the image's 128) for the 10 000 callers of the hung-Mist benchmark (found by reading the change). Sharing is safe because a parse is a leaf: it copies,
 * scans and builds its fields before it returns, and fires nothing in between. Not thread-safe:
 * used only by its own thread.
 */
public final class PlainFieldLines {

    /** The most field lines taken. */
    public static final int MAX_FIELDS = 64;

    /** RFC 9110 §5.6.2's tchar. */
    private static final boolean[] TOKEN = new boolean[256];
    /** Bytes of a value or reason phrase taken: visible ASCII, SP and HTAB. */
    private static final boolean[] TEXT = new boolean[256];
    private static final byte[] CONTENT_LENGTH = lowerCase("content-length");
    private static final byte[] TRANSFER_ENCODING = lowerCase("transfer-encoding");

    static {
        for (int b = 0x21; b < 0x7F; b++) {
            TEXT[b] = true;
            TOKEN[b] = Character.isLetterOrDigit(b) || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
        }
        TEXT[' '] = true;
        TEXT['\t'] = true;
    }

    /** The most bytes of a head copied for a parser ({@link #copyHead}). */
    public static final int MAX_HEAD_BYTES = 4096;

    private static final FastThreadLocal<PlainFieldLines> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected PlainFieldLines initialValue() {
            return new PlainFieldLines();
        }
    };

    private final byte[] head = new byte[MAX_HEAD_BYTES];
    /** Per field: name start, name length, value start, value length (offsets into the scanned bytes). */
    private final int[] fields = new int[MAX_FIELDS * 4];
    private int count;
    private int contentLength;

    private PlainFieldLines() {
    }

    /** This thread's instance. */
    public static PlainFieldLines ofThisThread() {
        return PER_THREAD.get();
    }

    /**
     * Names for {@link #scan} to decline, lower case, {@code Transfer-Encoding} always among them.
     * Made once per parser kind, kept in a constant.
     */
    public static byte[][] declining(String... names) {
        byte[][] declined = new byte[names.length + 1][];
        declined[0] = TRANSFER_ENCODING;
        for (int i = 0; i < names.length; i++) {
            declined[i + 1] = lowerCase(names[i]);
        }
        return declined;
    }

    /**
     * Copies the first {@code n} readable bytes of {@code in} (at most {@value #MAX_HEAD_BYTES}),
     * without consuming them, into this thread's scratch array, and returns it. Valid until the next
     * copy on this thread.
     */
    public byte[] copyHead(ByteBuf in, int n) {
        in.getBytes(in.readerIndex(), head, 0, n);
        return head;
    }

    /**
     * Reads the field lines and the empty line that start at {@code from} in {@code b[0..n)}.
     *
     * @param declinedNames from {@link #declining}: a field of one of these names declines the head
     * @return the index just past the empty line's CRLF, or -1 if the head is declined or does not end
     *         before {@code n}
     */
    public int scan(byte[] b, int from, int n, byte[][] declinedNames) {
        int p = from;
        count = 0;
        contentLength = -1;
        while (true) {
            if (p >= n) {
                return -1;
            }
            if (b[p] == '\r') {
                return p + 1 < n && b[p + 1] == '\n' ? p + 2 : -1;
            }
            int nameStart = p;
            while (p < n && TOKEN[b[p] & 0xFF]) {
                p++;
            }
            if (p == nameStart || p >= n || b[p] != ':' || count == MAX_FIELDS) {
                return -1;
            }
            int nameLength = p - nameStart;
            p++;
            while (p < n && isOws(b[p])) {
                p++;
            }
            int valueStart = p;
            int end = lineEnd(b, valueStart, n);
            if (end < 0 || !isText(b, valueStart, end)) {
                return -1;
            }
            int valueEnd = end;
            while (valueEnd > valueStart && isOws(b[valueEnd - 1])) {
                valueEnd--;
            }
            for (byte[] declined : declinedNames) {
                if (namedAs(b, nameStart, nameLength, declined)) {
                    return -1;
                }
            }
            if (namedAs(b, nameStart, nameLength, CONTENT_LENGTH)) {
                if (contentLength >= 0) {
                    return -1; // a second one: the decoder's rules decide
                }
                contentLength = length(b, valueStart, valueEnd);
                if (contentLength < 0) {
                    return -1;
                }
            }
            int f = count * 4;
            fields[f] = nameStart;
            fields[f + 1] = nameLength;
            fields[f + 2] = valueStart;
            fields[f + 3] = valueEnd - valueStart;
            count++;
            p = end + 2;
        }
    }

    /** The last head's {@code Content-Length}, or -1 if it had none. */
    public int contentLength() {
        return contentLength;
    }

    /** The last head's fields, made by {@code factory}, from the same bytes {@link #scan} read. */
    public HttpHeaders toHeaders(byte[] b, HttpHeadersFactory factory) {
        HttpHeaders headers = factory.newHeaders();
        for (int i = 0; i < count; i++) {
            int f = i * 4;
            headers.add(new AsciiString(b, fields[f], fields[f + 1], true),
                        new String(b, fields[f + 2], fields[f + 3], StandardCharsets.US_ASCII));
        }
        return headers;
    }

    /** The index of the CR of the CRLF that ends the line starting at {@code from}; -1 if none, or a bare CR or LF. */
    public static int lineEnd(byte[] b, int from, int n) {
        for (int i = from; i < n; i++) {
            byte c = b[i];
            if (c == '\r') {
                return i + 1 < n && b[i + 1] == '\n' ? i : -1;
            }
            if (c == '\n') {
                return -1;
            }
        }
        return -1;
    }

    /** Whether {@code b[from..to)} holds only visible ASCII, spaces and tabs. */
    public static boolean isText(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!TEXT[b[i] & 0xFF]) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code b[from..to)} is a token (RFC 9110 §5.6.2), at least one byte. */
    public static boolean isToken(byte[] b, int from, int to) {
        if (to <= from) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!TOKEN[b[i] & 0xFF]) {
                return false;
            }
        }
        return true;
    }

    /** SP or HTAB. */
    public static boolean isOws(byte c) {
        return c == ' ' || c == '\t';
    }

    /** Whether the name at {@code from} is {@code lowerCaseName}, in any case (field names are case-insensitive). */
    private static boolean namedAs(byte[] b, int from, int length, byte[] lowerCaseName) {
        if (length != lowerCaseName.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            int c = b[from + i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lowerCaseName[i]) {
                return false;
            }
        }
        return true;
    }

    /** The value of 1–9 digits with no leading zero (or "0") as a length; -1 for anything else. */
    private static int length(byte[] b, int from, int to) {
        int digits = to - from;
        if (digits < 1 || digits > 9 || digits > 1 && b[from] == '0') {
            return -1;
        }
        int value = 0;
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return -1;
            }
            value = value * 10 + b[i] - '0';
        }
        return value;
    }

    private static byte[] lowerCase(String name) {
        return name.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    }
}
