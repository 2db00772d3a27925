package io.mistguard.proxy.soak;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One soak caller's keep-alive HTTP/1.1 connection to a mistguard listener, written by hand so that
 * the caller chooses its own address (127.0.0.2 is a remote peer), sees every byte of the answer and
 * bounds its wait by its own clock. Reads answers framed by {@code Content-Length}, chunked coding or
 * the connection's end; skips interim 1xx answers. Not thread-safe: one caller, one connection.
 */
final class SoakConnection implements AutoCloseable {

    /** An answer; header names lower-cased, the last value of a repeated field wins. */
    record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The server ends the connection after this answer. */
        boolean closes() {
            String connection = header("connection");
            return connection != null && connection.toLowerCase(Locale.ROOT).contains("close");
        }
    }

    private final Socket socket = new Socket();
    private InputStream in;
    private OutputStream out;
    private long deadline;

    private SoakConnection() {
    }

    /** Connects from {@code local} (any port; {@code null} = the system's choice) to 127.0.0.1:{@code port}. */
    static SoakConnection open(InetAddress local, int port, int connectTimeoutMillis) throws IOException {
        SoakConnection c = new SoakConnection();
        try {
            if (local != null) {
                c.socket.bind(new InetSocketAddress(local, 0));
            }
            c.socket.setTcpNoDelay(true);
            c.socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), connectTimeoutMillis);
            if (c.socket.getLocalPort() == port && c.socket.getLocalAddress().equals(c.socket.getInetAddress())) {
                throw new java.net.ConnectException("connected to itself: nothing listens on " + port);
            }
            c.in = new BufferedInputStream(new DeadlineStream(c), 16 * 1024);
            c.out = c.socket.getOutputStream();
            return c;
        } catch (IOException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Writes {@code request} and reads its answer, giving up ({@link SocketTimeoutException}) at
     * {@code deadlineNanos} on the {@link System#nanoTime()} clock. Throws {@link java.io.EOFException}
     * when the connection ends before a complete answer.
     */
    Answer exchange(byte[] request, long deadlineNanos) throws IOException {
        deadline = deadlineNanos;
        out.write(request);
        out.flush();
        while (true) {
            String statusLine = line();
            if (statusLine == null) {
                throw new java.io.EOFException("connection closed before an answer");
            }
            int status = status(statusLine);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String l = line(); l != null && !l.isEmpty(); l = line()) {
                int colon = l.indexOf(':');
                headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
            if (status >= 100 && status < 200) {
                continue; // an interim answer: a head only
            }
            return new Answer(status, headers, body(headers));
        }
    }

    private static int status(String statusLine) throws IOException {
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("[1-5][0-9][0-9]")) {
            throw new java.net.ProtocolException("not an HTTP/1.x status line: " + statusLine);
        }
        return Integer.parseInt(parts[1]);
    }

    private String body(Map<String, String> headers) throws IOException {
        String length = headers.get("content-length");
        if (length != null) {
            int n = Integer.parseInt(length.trim());
            byte[] b = in.readNBytes(n);
            if (b.length < n) {
                throw new java.io.EOFException("body cut at " + b.length + " of " + n + " bytes");
            }
            return new String(b, StandardCharsets.UTF_8);
        }
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int size = chunkSize(); size > 0; size = chunkSize()) {
                b.write(in.readNBytes(size));
                line();
            }
            for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
                // trailers are not used
            }
            return b.toString(StandardCharsets.UTF_8);
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8); // framed by the connection's end
    }

    private int chunkSize() throws IOException {
        String l = line();
        if (l == null) {
            throw new java.io.EOFException("connection closed inside a chunked body");
        }
        int semicolon = l.indexOf(';');
        return Integer.parseInt((semicolon < 0 ? l : l.substring(0, semicolon)).trim(), 16);
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != -1; c = in.read()) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** The socket's input, each read bounded by what is left of the current exchange's deadline. */
    private static final class DeadlineStream extends InputStream {
        private final SoakConnection c;
        private final InputStream raw;

        DeadlineStream(SoakConnection c) throws IOException {
            this.c = c;
            this.raw = c.socket.getInputStream();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            long left = (c.deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException("caller's deadline passed");
            }
            c.socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            return raw.read(b, off, len);
        }
    }
}
