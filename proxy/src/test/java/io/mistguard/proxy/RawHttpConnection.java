package io.mistguard.proxy;

import java.io.ByteArrayOutputStream;
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
 * One client TCP connection written by hand, for tests where which connection carries a request
 * matters (Mist's trust is per connection) or where the bytes themselves do (half-close,
 * pipelining). Reads responses framed by {@code Content-Length}. Not thread-safe.
 */
final class RawHttpConnection implements AutoCloseable {

    /** One parsed response. Header names are lower-cased. */
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttpConnection(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** catalyst-api's {@code POST <path>} with {@code command=<json>}, plus {@code extraHeaders} lines. */
    static String formCommand(String path, String json, String... extraHeaders) {
        String body = "command=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
        StringBuilder request = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: mist\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length() + "\r\n");
        for (String header : extraHeaders) {
            request.append(header).append("\r\n");
        }
        return request.append("\r\n").append(body).toString();
    }

    void send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    Response exchange(String raw) throws IOException {
        send(raw);
        return read();
    }

    /** Sends a HEAD (or any request whose answer has no body) and reads the head of its answer. */
    Response exchangeHead(String raw) throws IOException {
        send(raw);
        return readHead();
    }

    /** Closes the sending side only, as {@code shutdown(SHUT_WR)} does. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Reads one response, framed by its Content-Length (or to EOF when it has none). */
    Response read() throws IOException {
        return read(true);
    }

    /** Reads the final answer, skipping interim 1xx ones (each a head without a body). */
    Response readFinal() throws IOException {
        Response answer;
        while ((answer = read(false)).status() < 200) {
            // an interim answer: its head was all of it
        }
        String length = answer.headers().get("content-length");
        byte[] body = length == null ? in.readAllBytes() : in.readNBytes(Integer.parseInt(length));
        return new Response(answer.status(), answer.headers(), new String(body, StandardCharsets.UTF_8));
    }

    /** Reads the status line and headers of an answer that has no body (to a HEAD). */
    Response readHead() throws IOException {
        return read(false);
    }

    private Response read(boolean withBody) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = line()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                          (a, b) -> a + ", " + b);
        }
        String length = headers.get("content-length");
        byte[] body = !withBody ? new byte[0]
                : length == null ? in.readAllBytes() : in.readNBytes(Integer.parseInt(length));
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /** Bytes that can be read without blocking. */
    int available() throws IOException {
        return in.available();
    }

    /** True when the server closed the connection: the next read sees end of stream. */
    boolean closedByServer() throws IOException {
        return in.read() < 0;
    }

    private String line() throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String text = buffer.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            buffer.write(b);
        }
        return buffer.size() == 0 ? null : buffer.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
