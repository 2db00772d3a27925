package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression (found by attacking the upstream side with a hand-written server): a pooled connection
 * to the upstream went back to the pool, and on to the next caller, while bytes that belonged to no
 * request of that caller's were on it:
 * <ul>
 *   <li>bytes sent after an answer's end in the same segment (a stray head), which the decoder held
 *       and glued to the next answer: the next caller got a 200 whose head was the stray one and
 *       whose body was the first bytes of its own answer's head;</li>
 *   <li>the same bytes a moment later, in a segment of their own, on the idle connection;</li>
 *   <li>an answer that came before the request's body was written whole (a 20 MB body the upstream
 *       had not read): the rest of the body went out on the pooled connection, the next request
 *       queued behind it, and the upstream read both as one garbled request; the next caller got
 *       the upstream's refusal of that garbage, or waited out its budget (504, counted as Mist's
 *       timeout).</li>
 * </ul>
 * Each now retires the connection: the next request rides a fresh one and gets its own answer.
 */
@Timeout(60)
class StrayUpstreamBytesReachTheNextCallerRegressionIT {

    private static final String STRAY_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: text/javascript\r\nContent-Length: 40\r\n\r\n";
    private static final String OWN_BODY = "{\"own\":\"answer\"}\n\n";

    @Test
    void aStrayHeadSentWithAnAnswerNeverReachesTheNextCaller() throws Exception {
        assertNextCallerGetsItsOwnAnswer("with-stray-head");
    }

    @Test
    void aStrayHeadSentLateOnAnIdleConnectionNeverReachesTheNextCaller() throws Exception {
        assertNextCallerGetsItsOwnAnswer("late-stray-head");
    }

    @Test
    void anAnswerBeforeTheBodyIsWrittenWholeRetiresTheConnection() throws Exception {
        // A body larger than the kernel's buffers take at once (over loopback they took a whole 1 MiB).
        try (ScriptedUpstream upstream = new ScriptedUpstream();
             TestProxy proxy = PolicyProxies.start("limits: {max_body_bytes: 32MiB}\n", upstream.port())) {
            String body = "command=" + "a".repeat(20_000_000);
            try (RawHttpConnection first = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
                RawHttpConnection.Response early = first.exchange("POST /api?s=answer-early HTTP/1.1\r\nHost: mist\r\n"
                        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length()
                        + "\r\n\r\n" + body);
                assertThat(early.status()).isEqualTo(200);
            }
            assertOwnAnswer(proxy);
            assertThat(upstream.connections.get()).as("the next request rode a fresh connection").isEqualTo(2);
        }
    }

    private static void assertNextCallerGetsItsOwnAnswer(String scenario) throws Exception {
        try (ScriptedUpstream upstream = new ScriptedUpstream();
             TestProxy proxy = TestProxy.inFrontOf(upstream.port(), Duration.ofSeconds(5))) {
            try (RawHttpConnection first = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
                RawHttpConnection.Response answer = first.exchange("GET /api?s=" + scenario + " HTTP/1.1\r\nHost: mist\r\n\r\n");
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.header("Mistguard-Decision")).isEqualTo("proxied");
            }
            Thread.sleep(300); // a late stray segment reaches mistguard's idle connection first
            assertOwnAnswer(proxy);
            assertThat(upstream.connections.get()).as("the next request rode a fresh connection").isEqualTo(2);
        }
    }

    /** A new caller's request, on the pool's connection if one was kept, gets the upstream's answer to it. */
    private static void assertOwnAnswer(TestProxy proxy) throws IOException {
        try (RawHttpConnection next = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
            RawHttpConnection.Response answer = next.exchange("GET /api?s=own HTTP/1.1\r\nHost: mist\r\n\r\n");
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.header("Mistguard-Decision")).isEqualTo("proxied");
            assertThat(answer.body()).as("its own answer, not one glued to stray bytes").isEqualTo(OWN_BODY);
        }
    }

    /**
     * Answers by the {@code s=} of each request; a request line it cannot read (what is left of a
     * body it did not read) gets a 400, as a server reading the connection on would answer.
     */
    private static final class ScriptedUpstream implements AutoCloseable {
        final AtomicInteger connections = new AtomicInteger();
        private final ServerSocket server = new ServerSocket();

        ScriptedUpstream() throws IOException {
            // A small window, so that a body the upstream leaves unread cannot all fit in the kernel's buffers.
            server.setReceiveBufferSize(16 * 1024);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            Thread acceptor = new Thread(this::acceptLoop, "scripted-upstream");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    connections.incrementAndGet();
                    Thread serve = new Thread(() -> serve(socket), "scripted-upstream-connection");
                    serve.setDaemon(true);
                    serve.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void serve(Socket socket) {
            try (socket) {
                InputStream in = new BufferedInputStream(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                for (String head; (head = readHead(in)) != null; ) {
                    String requestLine = head.substring(0, head.indexOf("\r\n"));
                    if (!requestLine.matches("[A-Z]+ /\\S* HTTP/1\\.1")) {
                        write(out, "HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad");
                        continue;
                    }
                    String scenario = requestLine.replaceAll(".*[?&]s=([a-z-]+).*", "$1");
                    boolean early = scenario.equals("answer-early");
                    if (!early) {
                        in.readNBytes(contentLength(head));
                    }
                    String answer = "HTTP/1.1 200 OK\r\nContent-Type: text/javascript\r\nContent-Length: "
                            + OWN_BODY.length() + "\r\n\r\n" + OWN_BODY;
                    switch (scenario) {
                        case "with-stray-head" -> write(out, answer + STRAY_HEAD);
                        case "late-stray-head" -> {
                            write(out, answer);
                            Thread.sleep(100); // a segment of its own, once the connection is idle
                            write(out, STRAY_HEAD);
                        }
                        default -> write(out, answer);
                    }
                    if (early) {
                        Thread.sleep(1_000); // reads on later: the rest of the body, then what follows it
                    }
                }
            } catch (IOException e) {
                // mistguard closed the connection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static void write(OutputStream out, String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** The next request head, up to its blank line; null at the end of the stream. */
        private static String readHead(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            int c;
            int n;
            while ((n = head.length()) < 4 || head.charAt(n - 4) != '\r' || head.charAt(n - 3) != '\n'
                    || head.charAt(n - 2) != '\r' || head.charAt(n - 1) != '\n') {
                if ((c = in.read()) < 0) {
                    return null;
                }
                head.append((char) c);
            }
            return head.toString();
        }

        private static int contentLength(String head) {
            for (String line : head.split("\r\n")) {
                if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                    return Integer.parseInt(line.substring(15).trim());
                }
            }
            return 0;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
