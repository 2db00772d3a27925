package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.junit.SimMistExtension;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Regression (found by review): a caller that sends its {@code GET /ws} upgrade and then shuts down
 * its sending side ({@code shutdown(SHUT_WR)}, as {@code nc} and many health checks do) got no answer
 * at all: the tunnel closed its connection on the FIN, closed Mist's too, and logged 499. Mist itself
 * answers such a caller — the 101 and the frames it sends at once (the connection's {@code authorize}
 * and the recent log lines), or its refusal — and only then reads the FIN and closes. So does
 * mistguard now: the half-closed caller gets Mist's answer, then Mist gets the FIN and both close.
 */
class HalfClosedUpgradeUnansweredRegressionIT {

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.with(b -> b.streams(1, 1));

    private static final String UPGRADE = "GET /ws?logs=1 HTTP/1.1\r\nHost: mist\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

    /**
     * sim-mist closes on the FIN before it sends its first frames (real Mist sends them with the 101;
     * {@code UpgradeTunnelWireIT} shows those reaching the caller), so only the 101 is asserted here.
     */
    @Test
    void halfClosedCallerGetsThe101ThenBothClose() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             Socket socket = new Socket("127.0.0.1", proxy.mistguard.proxyAddress().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((UPGRADE + "Sec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            socket.shutdownOutput();

            String received = readToEnd(socket.getInputStream());

            assertThat(received).startsWith("HTTP/1.1 101 ");
            assertThat(MIST.get().recording().awaitWebSocketsClosed(1, Duration.ofSeconds(5)))
                    .as("Mist's side closes once Mist has the caller's FIN").isTrue();
        }
    }

    @Test
    void halfClosedCallerGetsMistsRefusalOfTheUpgrade() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(5));
             Socket socket = new Socket("127.0.0.1", proxy.mistguard.proxyAddress().getPort())) {
            socket.setSoTimeout(10_000);
            // A WebSocket version Mist does not speak: it refuses the upgrade (426 from sim-mist).
            socket.getOutputStream().write((UPGRADE + "Sec-WebSocket-Version: 99\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            socket.shutdownOutput();

            String received = readToEnd(socket.getInputStream());

            assertThat(received).startsWith("HTTP/1.1 426 ").containsIgnoringCase("Connection: close");
        }
    }

    private static String readToEnd(InputStream in) throws Exception {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            received.write(buffer, 0, n);
        }
        return received.toString(StandardCharsets.ISO_8859_1);
    }
}
