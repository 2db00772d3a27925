package io.mistguard.proxy.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.LoopbackPorts;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Found by review: with the image's 32 MiB of direct memory, 60 callers each sending most of a 1 MiB
 * body left callers reset without an answer and a GetState waiting past its budget, and
 * {@code jstack} showed the event loops in {@code Thread.sleep} inside {@code java.nio.Bits.reserveMemory}:
 * Netty took its buffers through the JDK's {@code ByteBuffer.allocateDirect}, which, when direct
 * memory runs short, runs {@code System.gc()} and then sleeps and retries for up to about half a
 * second, on the event loop. Now the jar counts direct memory itself (Netty's no-cleaner buffers,
 * {@code Main#nettyDefaults} and the jar's {@code Add-Opens}), and a shortage fails at once.
 *
 * <p>mistguard runs in its own JVM with the image's memory flags under BlockHound
 * ({@link SoakChild}, which reports every blocking call on a mistguard event loop); 40 callers each
 * send 1 MiB less a byte of a 1 MiB body and hold it, more than 32 MiB together.
 */
class DirectMemoryShortageNeverBlocksAnEventLoopRegressionIT {

    @Test
    void runningShortOfDirectMemoryNeverSleepsOnAnEventLoopRegression(@TempDir Path dir) throws Exception {
        int listen = LoopbackPorts.freeRun(3);
        Path config = Files.writeString(dir.resolve("mistguard.yaml"), """
                listen: 127.0.0.1:%d
                upstream:
                  url: http://127.0.0.1:%d
                admin:
                  listen: 127.0.0.1:%d
                invalidations: {state_file: %s}
                """.formatted(listen, listen + 2, listen + 1, dir.resolve("invalidations.state")));
        Path log = dir.resolve("mistguard.log");
        MistguardProcess mistguard = MistguardProcess.start(config, log);
        List<Socket> callers = new ArrayList<>();
        try {
            assertThat(mistguard.awaitReady(new AdminClient(listen + 1, null), Duration.ofSeconds(60)))
                    .as("ready: %s", Files.readString(log)).isTrue();
            byte[] part = new byte[(1 << 20) - 1];
            for (int i = 0; i < 40; i++) {
                Socket caller = new Socket("127.0.0.1", listen);
                callers.add(caller);
                OutputStream out = caller.getOutputStream();
                out.write(("POST /api HTTP/1.1\r\nHost: mist\r\nContent-Length: " + (1 << 20) + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                try {
                    out.write(part);
                    out.flush();
                } catch (java.io.IOException refused) {
                    // answered (503 out-of-memory) and closed while still sending: what this test provokes
                }
            }
            Thread.sleep(2_000); // what mistguard read of the bodies has used its direct memory up
            try (Socket probe = new Socket("127.0.0.1", listen)) {
                probe.setSoTimeout(10_000);
                probe.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: mist\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                InputStream in = probe.getInputStream();
                in.readAllBytes(); // any answer (Mist is not there: 502), or a close
            } catch (java.io.IOException ignored) {
                // a reset is an answer too; what this test is about is the log below
            }
        } finally {
            for (Socket caller : callers) {
                caller.close();
            }
            mistguard.terminate(Duration.ofSeconds(20));
        }
        assertThat(Files.readString(log)).as("direct memory did run short")
                .contains("no memory to read a request");
        assertThat(mistguard.blockingLines()).as("blocking calls on event loops").isEmpty();
        assertThat(mistguard.leakLines()).as("leaks").isEmpty();
    }
}
