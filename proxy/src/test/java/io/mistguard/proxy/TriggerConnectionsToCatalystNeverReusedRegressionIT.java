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
import org.junit.jupiter.api.Test;

/**
 * Regression (found by review): the trigger listener's client to catalyst-api used the reuse rule
 * of Mist's API port, under which a request on a path other than {@code /api}/{@code /api2} that
 * carries no {@code command=} is answered with Mist's web UI and its connection must not be reused.
 * Every trigger is such a request ({@code /api/mist/trigger}, a plain-text payload), so every
 * connection to catalyst-api was closed after one trigger: a connect per trigger, and a
 * {@code TIME_WAIT} socket left per trigger on mistguard's side (a burst of {@code USER_NEW} after
 * {@code invalidate_sessions} is one per viewer). catalyst-api's keep-alive connections are now
 * reused, as the listener's idle pool intends.
 */
class TriggerConnectionsToCatalystNeverReusedRegressionIT {

    private static final TriggerPolicy DENY = TriggerPolicy.fixed(true, Duration.ofSeconds(2), TriggerFallback.DENY);
    private static final String VIEWER = "video+s1\n10.0.0.7\n41\nHLS\nhttp://x/a.m3u8\nsess-a";

    @Test
    void triggersFromOneMistConnectionShareOneKeptAliveConnectionToCatalystApi() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        AtomicInteger requests = new AtomicInteger();
        try (ServerSocket catalyst = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             TestProxy proxy = TriggerProxies.start(FakeCatalystApi.refusedPort(),
                     TriggerProxies.triggers(0, catalyst.getLocalPort(), DENY))) {
            Thread server = new Thread(() -> serve(catalyst, connections, requests), "keep-alive-catalyst");
            server.setDaemon(true);
            server.start();

            try (Socket mist = new Socket(InetAddress.getLoopbackAddress(),
                                          proxy.mistguard.triggerAddress().getPort())) {
                mist.setSoTimeout(5_000);
                for (int i = 0; i < 3; i++) {
                    String answer = exchange(mist, i);
                    assertThat(answer).startsWith("HTTP/1.1 200 ").contains("Mistguard-Decision: proxied")
                            .endsWith("true");
                }
            }
            assertThat(requests.get()).isEqualTo(3);
            assertThat(connections.get()).as("connections catalyst-api accepted for 3 triggers in turn").isEqualTo(1);
        }
    }

    /**
     * Kept alive, a connection whose answer ran to catalyst-api's close is not: the next trigger goes
     * on a fresh connection and is answered, not failed on the closed one.
     */
    @Test
    void anAnswerEndedByCatalystsCloseIsRelayedAndTheNextTriggerTakesAFreshConnection() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        AtomicInteger requests = new AtomicInteger();
        try (ServerSocket catalyst = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             TestProxy proxy = TriggerProxies.start(FakeCatalystApi.refusedPort(),
                     TriggerProxies.triggers(0, catalyst.getLocalPort(), DENY))) {
            Thread server = new Thread(() -> {
                for (int i = 0; i < 2; i++) {
                    try (Socket s = catalyst.accept()) {
                        connections.incrementAndGet();
                        InputStream in = new BufferedInputStream(s.getInputStream());
                        in.readNBytes(RawHttpMessages.contentLength(RawHttpMessages.readHead(in)));
                        requests.incrementAndGet();
                        s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\ntrue"
                                                          .getBytes(StandardCharsets.ISO_8859_1));
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "closing-catalyst");
            server.setDaemon(true);
            server.start();

            try (Socket mist = new Socket(InetAddress.getLoopbackAddress(),
                                          proxy.mistguard.triggerAddress().getPort())) {
                mist.setSoTimeout(5_000);
                for (int i = 0; i < 2; i++) {
                    assertThat(exchange(mist, i)).contains("Mistguard-Decision: proxied").endsWith("true");
                }
            }
            assertThat(connections.get()).isEqualTo(2);
            assertThat(requests.get()).isEqualTo(2);
        }
    }

    /** A keep-alive HTTP/1.1 server answering every request 200 "true" with a length. */
    private static void serve(ServerSocket server, AtomicInteger connections, AtomicInteger requests) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                Thread t = new Thread(() -> answerAll(s, requests));
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed by the test
            }
        }
    }

    private static void answerAll(Socket s, AtomicInteger requests) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (true) {
                String head = RawHttpMessages.readHead(in);
                if (head == null) {
                    return;
                }
                in.readNBytes(RawHttpMessages.contentLength(head));
                requests.incrementAndGet();
                out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\ntrue"
                                  .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException e) {
            // mistguard closed the connection
        }
    }

    private static String exchange(Socket mist, int n) throws IOException {
        return RawHttpMessages.exchange(mist.getOutputStream(), mist.getInputStream(),
                "POST /api/mist/trigger HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Trigger: USER_NEW\r\nX-Trigger-UUID: "
                + "u-" + n + "\r\nContent-Type: text/plain\r\nContent-Length: " + VIEWER.length() + "\r\n\r\n" + VIEWER);
    }
}
