package io.mistguard.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-written HTTP/1.1 upstream that closes keep-alive connections at the worst moment for a
 * proxy: it answers {@code GET} with a complete {@code Content-Length} reply and then closes the
 * socket <em>without</em> {@code Connection: close}, so the proxy learns of the close only when the
 * FIN arrives, possibly after it reused the connection. {@code POST}s (Mist commands) are answered
 * keep-alive and counted. One thread per connection; for tests only.
 */
final class ClosingUpstream implements AutoCloseable {

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "closing-upstream");
        t.setDaemon(true);
        return t;
    });
    private final String getContentType;
    private final AtomicInteger posts = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();

    /** @param getContentType the type of the GET reply after which the connection is closed */
    ClosingUpstream(String getContentType) throws IOException {
        this.getContentType = getContentType;
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    /** POST requests received, each answered once. */
    int posts() {
        return posts.get();
    }

    int connections() {
        return connections.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                threads.execute(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String head = head(in);
                if (head == null) {
                    return;
                }
                int length = contentLength(head);
                in.readNBytes(length);
                if (head.startsWith("POST")) {
                    posts.incrementAndGet();
                    write(out, "text/javascript", "{\"LTS\":1,\"authorize\":{\"local\":true,\"status\":\"OK\"}}\n\n");
                } else {
                    write(out, getContentType, "<html>web UI</html>\n");
                    return; // close right after a complete reply, with no Connection: close
                }
            }
        } catch (IOException e) {
            // the proxy closed first: fine
        }
    }

    private static void write(OutputStream out, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\nContent-Length: " + bytes.length
                   + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            buffer.write(b);
            int n = buffer.size();
            byte[] bytes = buffer.toByteArray();
            if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n') {
                return buffer.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        threads.shutdownNow();
        threads.awaitTermination(2, TimeUnit.SECONDS);
    }
}
