package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A restarted mistguard binds its listeners again while the connections it closed are in TIME_WAIT.
 *
 * <p>The side that closes a TCP connection first keeps it in TIME_WAIT for a minute (RFC 9293
 * §3.6.1; Linux's {@code TCP_TIMEWAIT_LEN}, 60 s), and without {@code SO_REUSEADDR} on the listening
 * socket Linux refuses to bind a port any TIME_WAIT connection still holds ({@code EADDRINUSE}).
 * mistguard closes first whenever it answers {@code Connection: close} (kubelet's probes, HTTP/1.0
 * callers, refusals), and a restarted container keeps its pod's network namespace. A review saw
 * the admin port refused after a restart; it was the old process still draining, not this, but
 * only the proxy listener sets {@code SO_REUSEADDR} itself: the admin and trigger listeners rely on
 * the default of Netty's server channels (epoll, io_uring and NIO all set it, as {@code java.nio}
 * does). This pins that default on every listener: with {@code SO_REUSEADDR} turned off on the admin
 * listener, the second start fails with {@code admin.listen ...: Address already in use}.
 */
@Timeout(60)
class ListenerRebindAfterTimeWaitIT {

    @Test
    void everyListenerBindsAgainWhileItsClosedConnectionsAreInTimeWait() throws Exception {
        ProxyConfig config = TestProxy.config(LoopbackPorts.free(), Duration.ofSeconds(2))
                .withTriggers(TriggerProxies.triggers(0, LoopbackPorts.free(), TriggerPolicy.fixed(true, Duration.ofSeconds(1), TriggerFallback.DENY)));
        InetSocketAddress proxy;
        InetSocketAddress admin;
        InetSocketAddress trigger;
        try (TestProxy first = TestProxy.start(config)) {
            proxy = first.mistguard.proxyAddress();
            admin = first.mistguard.adminAddress();
            trigger = first.mistguard.triggerAddress();
            // Each answer closes the connection from mistguard's side: its end goes to TIME_WAIT.
            closedByMistguard(proxy, "GET /x HTTP/1.1\r\nHost: mist\r\nConnection: close\r\n\r\n");
            closedByMistguard(admin, "GET /ready HTTP/1.1\r\nHost: mistguard\r\nConnection: close\r\n\r\n");
            closedByMistguard(trigger, "POST /api/mist/trigger HTTP/1.1\r\nHost: mistguard\r\n"
                    + "X-Trigger: USER_NEW\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
        ProxyConfig samePorts = config
                .withListen(new HostPort("127.0.0.1", proxy.getPort()))
                .withAdminListen(new HostPort("127.0.0.1", admin.getPort()))
                .withTriggers(config.triggers().withListen(new HostPort("127.0.0.1", trigger.getPort())));
        try (TestProxy second = TestProxy.start(samePorts)) {
            assertThat(second.mistguard.proxyAddress().getPort()).isEqualTo(proxy.getPort());
            assertThat(second.mistguard.adminAddress().getPort()).isEqualTo(admin.getPort());
            assertThat(second.mistguard.triggerAddress().getPort()).isEqualTo(trigger.getPort());
            assertThat(second.get("/x").statusCode()).isEqualTo(502); // serves on the rebound listener
        }
    }

    /** Sends {@code request}, reads the answer to mistguard's close, then closes our end too. */
    private static void closedByMistguard(InetSocketAddress listener, String request) throws IOException {
        try (Socket socket = new Socket(listener.getAddress(), listener.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = in.readAllBytes(); // to mistguard's FIN: it closed first
            assertThat(new String(answer, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 ");
        }
    }
}
