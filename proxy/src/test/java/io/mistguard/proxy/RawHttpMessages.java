package io.mistguard.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes HTTP/1.1 messages as raw ISO-8859-1 text over a plain socket's streams, for tests
 * that play a peer byte for byte (Mist sending a trigger, a stand-in catalyst-api answering it).
 * Only {@code Content-Length} framing. Stateless.
 */
public final class RawHttpMessages {

    private RawHttpMessages() {
    }

    /** The head up to and including its empty line, or {@code null} when the stream ends first. */
    public static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            if (head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    /** The value of {@code head}'s {@code Content-Length}, or 0 without one. */
    public static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    /** Writes {@code request}, then reads one answer whole: its head and its body, as text. */
    public static String exchange(OutputStream out, InputStream in, String request) throws IOException {
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String head = readHead(in);
        if (head == null) {
            throw new IOException("the connection ended before an answer");
        }
        return head + new String(in.readNBytes(contentLength(head)), StandardCharsets.ISO_8859_1);
    }
}
