package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression (found by review, once connections to catalyst-api were reused): a {@code 204} or
 * {@code 304} ends at its head whatever it announces (RFC 9112 §6.3), so the body a faulty server
 * sends after one — here {@code Content-Length: 5} and {@code false} — stayed on the kept-alive
 * connection and was read as the start of the next answer. The next trigger, answered {@code 200}
 * in time by a healthy catalyst-api, got its fallback ({@code bad-response}) and counted against
 * catalyst-api's breaker. A connection whose no-body answer announced a body is no longer reused.
 */
class NoContentAnswerWithABodyPoisonsTheNextTriggerRegressionIT {

    private static final TriggerPolicy DENY = TriggerPolicy.fixed(true, Duration.ofSeconds(2), TriggerFallback.DENY);
    private static final String VIEWER = "video+s1\n10.0.0.7\n41\nHLS\nhttp://x/a.m3u8\nsess-a";

    @ParameterizedTest
    @ValueSource(strings = {"204 No Content", "304 Not Modified"})
    void theTriggerAfterANoBodyAnswerThatCarriedOneGetsCatalystsAnswer(String status) throws Exception {
        AtomicInteger connections = new AtomicInteger();
        AtomicInteger requests = new AtomicInteger();
        try (ServerSocket catalyst = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             TestProxy proxy = TriggerProxies.start(FakeCatalystApi.refusedPort(),
                     TriggerProxies.triggers(0, catalyst.getLocalPort(), DENY))) {
            Thread server = new Thread(() -> serve(catalyst, status, connections, requests), "faulty-catalyst");
            server.setDaemon(true);
            server.start();

            try (Socket mist = new Socket(InetAddress.getLoopbackAddress(),
                                          proxy.mistguard.triggerAddress().getPort())) {
                mist.setSoTimeout(5_000);
                assertThat(exchange(mist)).contains("Mistguard-Decision: fallback; reason=upstream-status");
                assertThat(exchange(mist)).contains("Mistguard-Decision: proxied").endsWith("true");
            }
            assertThat(requests.get()).isEqualTo(2);
            assertThat(proxy.mistguard.triggerBreaker().snapshot().failureRate()).as("catalyst-api never failed").isZero();
        }
    }

    /**
     * The same body sent late, in a segment of its own, after a {@code 204} that announced nothing:
     * the connection sat idle in the pool with the stray bytes, and the next trigger on it failed
     * the same way (a helper's fix for it was reverted once, on a timing flake of another test).
     * Bytes on a connection with no request outstanding now close it at once.
     */
    @org.junit.jupiter.api.Test
    void strayBytesOnAnIdleConnectionToCatalystApiRetireIt() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        java.util.concurrent.CountDownLatch strayWritten = new java.util.concurrent.CountDownLatch(1);
        try (ServerSocket catalyst = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             TestProxy proxy = TriggerProxies.start(FakeCatalystApi.refusedPort(),
                     TriggerProxies.triggers(0, catalyst.getLocalPort(), DENY))) {
            Thread server = new Thread(() -> {
                while (!catalyst.isClosed()) {
                    try {
                        Socket s = catalyst.accept();
                        Thread t = new Thread(() -> {
                            try (s) {
                                InputStream in = new BufferedInputStream(s.getInputStream());
                                OutputStream out = s.getOutputStream();
                                for (String head; (head = RawHttpMessages.readHead(in)) != null; ) {
                                    in.readNBytes(RawHttpMessages.contentLength(head));
                                    if (requests.incrementAndGet() == 1) {
                                        out.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                                        out.flush();
                                        Thread.sleep(100); // its own segment, once mistguard holds the connection idle
                                        out.write("false".getBytes(StandardCharsets.ISO_8859_1));
                                        out.flush();
                                        strayWritten.countDown();
                                    } else {
                                        out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\ntrue"
                                                .getBytes(StandardCharsets.ISO_8859_1));
                                        out.flush();
                                    }
                                }
                            } catch (IOException | InterruptedException e) {
                                // mistguard closed the connection
                            }
                        });
                        t.setDaemon(true);
                        t.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "stray-bytes-catalyst");
            server.setDaemon(true);
            server.start();

            try (Socket mist = new Socket(InetAddress.getLoopbackAddress(),
                                          proxy.mistguard.triggerAddress().getPort())) {
                mist.setSoTimeout(5_000);
                assertThat(exchange(mist)).contains("Mistguard-Decision: fallback; reason=upstream-status");
                assertThat(strayWritten.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                Thread.sleep(200); // the stray bytes reach mistguard's idle connection first (a test of order only)
                assertThat(exchange(mist)).contains("Mistguard-Decision: proxied").endsWith("true");
            }
            assertThat(requests.get()).isEqualTo(2);
        }
    }

    /** The first request on each connection gets {@code status} with a body; any later one 200 "true". */
    private static void serve(ServerSocket server, String status, AtomicInteger connections, AtomicInteger requests) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                Thread t = new Thread(() -> answerAll(s, status, requests));
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void answerAll(Socket s, String status, AtomicInteger requests) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (true) {
                String head = RawHttpMessages.readHead(in);
                if (head == null) {
                    return;
                }
                in.readNBytes(RawHttpMessages.contentLength(head));
                String answer = requests.incrementAndGet() == 1
                        ? "HTTP/1.1 " + status + "\r\nContent-Length: 5\r\n\r\nfalse"
                        : "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\ntrue";
                out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException e) {
            // mistguard closed the connection
        }
    }

    private static String exchange(Socket mist) throws IOException {
        return RawHttpMessages.exchange(mist.getOutputStream(), mist.getInputStream(),
                "POST /api/mist/trigger HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Trigger: USER_NEW\r\nX-Trigger-UUID: "
                + "u-1" + "\r\nContent-Type: text/plain\r\nContent-Length: " + VIEWER.length() + "\r\n\r\n" + VIEWER);
    }
}
