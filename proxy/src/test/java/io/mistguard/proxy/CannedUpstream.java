package io.mistguard.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A hand-written upstream that answers every request head on every connection with the same raw
 * bytes, one connection at a time, keeping each open until the peer closes it: for answers Mist never
 * sends but a proxy must handle (no length to a {@code HEAD}, a transfer coding it cannot undo).
 * Reads heads only (requests with a body are not for it). For tests only.
 */
final class CannedUpstream implements AutoCloseable {

    private final ServerSocket server;

    /** @param answer the bytes of each answer, as ISO-8859-1 text */
    CannedUpstream(String answer) throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        byte[] bytes = answer.getBytes(StandardCharsets.ISO_8859_1);
        Thread thread = new Thread(() -> serve(bytes), "canned-upstream");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void serve(byte[] answer) {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                InputStream in = socket.getInputStream();
                while (readHead(in)) {
                    socket.getOutputStream().write(answer);
                    socket.getOutputStream().flush();
                }
            } catch (IOException e) {
                // the next connection, or the end of the test
            }
        }
    }

    private static boolean readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            if (head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
