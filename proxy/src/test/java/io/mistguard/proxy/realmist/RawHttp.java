package io.mistguard.proxy.realmist;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One client TCP connection that speaks HTTP/1.1 by hand, so that a test decides exactly which
 * requests share a connection. Mist trusts a connection, not a request (mist-api.md §2, §8), and the
 * JDK's {@code HttpClient} pools connections where a test cannot see them, so trust tests use this.
 *
 * <p>One request at a time, each answer read in full before the next request is written: Mist cannot
 * serve pipelined requests. Answers must be framed by {@code Content-Length} or chunked encoding;
 * Mist frames every answer these tests ask for. Not thread-safe: one test thread owns it.
 */
final class RawHttp implements AutoCloseable {

    private static final int TIMEOUT_MS = 10_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String authority;

    private RawHttp(Socket socket, InetSocketAddress to) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.authority = to.getHostString() + ':' + to.getPort();
    }

    /** Opens a connection to {@code to}. */
    static RawHttp connect(InetSocketAddress to) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(to, TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            return new RawHttp(socket, to);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** {@code POST path} with the form body catalyst-api sends: {@code command=<url-encoded JSON>}. */
    Reply postForm(String path, String commandJson, String... headers) throws IOException {
        return send("POST", path, "application/x-www-form-urlencoded",
                "command=" + URLEncoder.encode(commandJson, StandardCharsets.UTF_8), headers);
    }

    /** {@code POST path} with a raw JSON body, which Mist reads only under exactly this content type. */
    Reply postJson(String path, String commandJson, String... headers) throws IOException {
        return send("POST", path, "application/json", commandJson, headers);
    }

    /** {@code GET target}; {@code target} is sent as given, so encode any query yourself. */
    Reply get(String target, String... headers) throws IOException {
        return send("GET", target, null, null, headers);
    }

    /**
     * Writes one request and reads its whole answer.
     *
     * @param contentType sent with {@code body}; both {@code null} for a request without a body
     * @param headers extra header lines, each {@code "Name: value"}
     */
    Reply send(String method, String target, String contentType, String body, String... headers) throws IOException {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(authority).append("\r\n");
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n")
                    .append("Content-Length: ").append(content.length).append("\r\n");
        }
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.write(content);
        out.flush();
        return read(method);
    }

    private Reply read(String method) throws IOException {
        String statusLine = line();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(); !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            headers.merge(name, line.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
        }
        byte[] body;
        if (method.equals("HEAD")) {
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = chunked();
        } else if (headers.containsKey("content-length")) {
            body = exactly(Integer.parseInt(headers.get("content-length")));
        } else {
            throw new IOException("answer without Content-Length or chunked encoding: " + statusLine + " " + headers);
        }
        return new Reply(Integer.parseInt(parts[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int size = chunkSize(); size > 0; size = chunkSize()) {
            body.writeBytes(exactly(size));
            line(); // the CRLF after each chunk
        }
        while (!line().isEmpty()) {
            // a trailer field: neither Mist nor mistguard sends one worth reading
        }
        return body.toByteArray();
    }

    private int chunkSize() throws IOException {
        String line = line();
        int extension = line.indexOf(';');
        return Integer.parseInt(extension < 0 ? line.trim() : line.substring(0, extension).trim(), 16);
    }

    private byte[] exactly(int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new EOFException("connection closed after " + bytes.length + " of " + length + " body bytes");
        }
        return bytes;
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection closed mid-answer");
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** One answer: status, header fields by lower-case name (repeats joined), body as UTF-8 text. */
    record Reply(int status, Map<String, String> headers, String body) {

        /** The {@code Content-Type} field, or {@code ""} when there is none. */
        String contentType() {
            return headers.getOrDefault("content-type", "");
        }

        /** Status, headers and the start of the body, unless the body lists Mist's accounts and their password hashes. */
        @Override
        public String toString() {
            String shown = body.contains("\"account\"") ? "(" + body.length() + " chars, withheld: they list Mist's accounts)"
                    : body.length() > 300 ? body.substring(0, 300) + "…(" + body.length() + " chars)" : body;
            return status + " " + headers + " " + shown;
        }
    }
}
