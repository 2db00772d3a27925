package io.mistguard.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain TCP relay for tests that records every byte the upstream sends back, so a test can compare
 * what Mist really wrote with what the caller received through the proxy. Blocking I/O on its own
 * threads: test code only, never on an event loop.
 */
final class TapRelay implements AutoCloseable {

    private final ServerSocket server;
    private final int upstreamPort;
    private final ByteArrayOutputStream fromUpstream = new ByteArrayOutputStream();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    TapRelay(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "tap-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Everything the upstream sent since the last call, as ISO-8859-1 text (byte-exact). */
    String drainUpstreamBytes() {
        synchronized (fromUpstream) {
            String text = fromUpstream.toString(StandardCharsets.ISO_8859_1);
            fromUpstream.reset();
            return text;
        }
    }

    private void acceptLoop() {
        try {
            while (!server.isClosed()) {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                sockets.add(client);
                sockets.add(upstream);
                pump(client.getInputStream(), upstream.getOutputStream(), null, upstream);
                pump(upstream.getInputStream(), client.getOutputStream(), fromUpstream, client);
            }
        } catch (IOException closed) {
            // server closed: the test is over
        }
    }

    private static void pump(InputStream in, OutputStream out, ByteArrayOutputStream tap, Socket peer) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (peer) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (tap != null) {
                        synchronized (tap) {
                            tap.write(buffer, 0, n);
                        }
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // either side closed
            }
        }, "tap-pump");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
