package io.mistguard.proxy.server.tunnel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A blocking socket client for exact bytes: sends a raw request and reads the answer until a marker
 * or until the server closes. Every read gives up after 10 s, so a hang fails the test instead of
 * stalling it.
 */
final class RawClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    RawClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
    }

    /** A GET upgrade to websocket on {@code path} with these extra header lines (each ending in CRLF). */
    static String upgrade(String path, String extraLines) {
        return "GET " + path + " HTTP/1.1\r\nHost: mist\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraLines + "\r\n";
    }

    RawClient send(String raw) throws IOException {
        socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return this;
    }

    /** Shuts down the sending side only ({@code shutdown(SHUT_WR)}): the server sees a FIN. */
    RawClient shutdownOutput() throws IOException {
        socket.shutdownOutput();
        return this;
    }

    /** Everything received until the server closed the connection. */
    String readToEnd() throws IOException {
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            received.write(buffer, 0, n);
        }
        return text();
    }

    /** Everything received until {@code marker} has appeared. */
    String readUntil(String marker) throws IOException {
        byte[] buffer = new byte[8192];
        while (!text().contains(marker)) {
            int n = in.read(buffer);
            if (n < 0) {
                throw new IOException("closed before \"" + marker + "\"; got: " + text());
            }
            received.write(buffer, 0, n);
        }
        return text();
    }

    /** Whether the server closes the connection with nothing more to say, within 10 s. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    private String text() {
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
