package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.SimMist;
import java.io.InputStream;
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

    @Test
    void aDrainLetsAnAnswerBeingWrittenFinishWithinTheGraceRegression() throws Exception {
        try (SimMist mist = SimMist.builder().streams(1, 1).start()) {
            SlowReader.huge(mist);
            TestProxy proxy = PolicyProxies.start(SlowReader.ROUTES, mist.port()); // shutdown_grace: 1s
            CompletableFuture<Void> drained = null;
            try (SlowReader caller = SlowReader.ask(proxy)) {
                InputStream in = caller.in;
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
                assertThat(length).isGreaterThanOrEqualTo(SlowReader.HUGE);
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
