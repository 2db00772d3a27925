package io.mistguard.sim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A tiny HTTP/1.1 client over one raw socket, so tests control connections and see every byte.
 * Public for the tests of every sim-mist package.
 */
public final class RawHttp implements AutoCloseable {

    public record Response(int status, Map<String, String> headers, String body) {
    }

    /** A status line and the headers (names lower-cased) that follow it. */
    public record Head(String statusLine, Map<String, String> headers) {
        public int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    public final Socket socket;
    private final PushbackInputStream in;
    private final OutputStream out;

    public RawHttp(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(10_000);
        in = new PushbackInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public static String form(String json) {
        return "command=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
    }

    public void send(String method, String path, String contentType, String body, String... extraHeaders)
            throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        if (contentType != null) {
            req.append("Content-Type: ").append(contentType).append("\r\n");
        }
        for (String h : extraHeaders) {
            req.append(h).append("\r\n");
        }
        req.append("Content-Length: ").append(b.length).append("\r\n\r\n");
        out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
    }

    /** Writes {@code text} as it is (ISO-8859-1) in one write: a hand-built or several pipelined requests. */
    public void sendRaw(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    public Response post(String path, String json, String... extraHeaders) throws IOException {
        send("POST", path, "application/x-www-form-urlencoded", form(json), extraHeaders);
        return read();
    }

    /** Reads one response; {@code null} when the server closed first. */
    public Response read() throws IOException {
        Head head = readHead();
        return head == null ? null : new Response(head.status(), head.headers(), readBody(head));
    }

    /** Reads the {@code Content-Length} bytes (0 when absent) that follow {@code head}. */
    public String readBody(Head head) throws IOException {
        int len = Integer.parseInt(head.headers().getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(len);
        if (body.length < len) {
            throw new IOException("truncated body: " + body.length + " of " + len);
        }
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Reads a status line and headers, up to the blank line; {@code null} when the server closed first. */
    public Head readHead() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            return null;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(); l != null && !l.isEmpty(); l = line()) {
            int c = l.indexOf(':');
            headers.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
        }
        return new Head(statusLine, headers);
    }

    /**
     * True when the connection is still open and nothing arrived within {@code millis}: evidence of an
     * absence, so it can pass wrongly on a slow server but never fails wrongly. A byte that did arrive
     * is pushed back for the next read.
     */
    public boolean silentFor(int millis) throws IOException {
        int before = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            int b = in.read();
            if (b >= 0) {
                in.unread(b);
            }
            return false;
        } catch (SocketTimeoutException expected) {
            return true;
        } finally {
            socket.setSoTimeout(before);
        }
    }

    /** True when the server closed the connection (EOF) before the timeout. */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                String s = buf.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            buf.write(c);
        }
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
