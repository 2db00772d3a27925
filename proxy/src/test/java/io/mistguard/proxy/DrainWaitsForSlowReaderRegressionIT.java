package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.FaultRule;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A drain (SIGTERM) while a large answer is still being written to a slow reader. Regression: a
 * request stopped counting as in flight once its answer came from Mist, before it was written, so
 * the drain found nothing in flight and closed the connection at once, mid-body, instead of letting
 * the write finish within {@code shutdown_grace}.
 */
class DrainWaitsForSlowReaderRegressionIT {

    private static final int BODY = 8 << 20; // far more than the sockets' buffers hold
    private static final String PUSH_LIST = "/api2?command=%7B%22push_list%22%3Atrue%7D";
    /** With PolicyProxies' {@code shutdown_grace: 1s}: ample for a reader that reads once the drain began. */
    private static final String YAML = """
            routes:
              - name: rest
                match: {}
                kind: passthrough
                timeout: 10s
            """;

    @Test
    void aDrainLetsAnAnswerBeingWrittenFinishWithinTheGraceRegression() throws Exception {
        try (SimMist mist = SimMist.builder().streams(1, 1).start()) {
            mist.faults().add(FaultRule.forCommand("push_list").hugeBody(BODY));
            TestProxy proxy = PolicyProxies.start(YAML, mist.port());
            CompletableFuture<Void> drained = null;
            try (Socket caller = new Socket()) {
                caller.setReceiveBufferSize(4096); // before connecting: a small window
                caller.connect(new InetSocketAddress("127.0.0.1", proxy.uri("/").getPort()));
                caller.setSoTimeout(20_000);
                OutputStream out = caller.getOutputStream();
                out.write(("GET " + PUSH_LIST + " HTTP/1.1\r\nHost: mist\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = caller.getInputStream();
                assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
                Thread.sleep(300); // the rest of the answer waits in mistguard for this reader

                drained = CompletableFuture.runAsync(() -> {
                    try {
                        proxy.close(); // the drain, as on SIGTERM
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                Thread.sleep(300); // the drain has begun
                byte[] rest = in.readAllBytes(); // to the close
                String all = new String(rest, StandardCharsets.ISO_8859_1);
                int bodyStart = all.indexOf("\r\n\r\n") + 4;
                int length = Integer.parseInt(all.replaceAll("(?is).*?content-length: *(\\d+).*", "$1"));
                assertThat(length).isGreaterThanOrEqualTo(BODY);
                assertThat(rest.length - bodyStart).as("the whole body, not cut off by the drain").isEqualTo(length);
            } finally {
                if (drained != null) {
                    drained.get();
                } else {
                    proxy.close();
                }
            }
        }
    }
}
