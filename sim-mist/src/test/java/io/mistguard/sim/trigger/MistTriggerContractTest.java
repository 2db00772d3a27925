package io.mistguard.sim.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The trigger sender keeps Mist's contract (mist-api.md §5) on failures of every kind: each failed
 * attempt — timeout, refused connection, non-200 — is retried up to the attempt count, with the same
 * {@code X-Trigger-UUID}, and then Mist's default {@code true} is used, also for string-valued
 * triggers. Attempt time and count are injected (Mist: 5 s × 5), so this runs in well under a second
 * per case instead of 25 s.
 */
class MistTriggerContractTest {

    /** An attempt at a receiver that never answers: short, so that five cost little. */
    private static final Duration HUNG_ATTEMPT = Duration.ofMillis(150);
    /**
     * An attempt at a receiver that answers at once: Mist's own 5 s, so that a loaded machine's slow
     * first round trip is never mistaken for a timeout.
     */
    private static final Duration ATTEMPT = Duration.ofSeconds(5);
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer receiver;

    @AfterEach
    void stop() {
        release.countDown();
        if (receiver != null) {
            receiver.stop(0);
        }
        threads.shutdownNow();
    }

    private URI hangingReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(threads);
        receiver.createContext("/", ex -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        receiver.start();
        return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/api/mist/trigger");
    }

    private URI status(int status, String body) throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(threads);
        receiver.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        receiver.start();
        return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/api/mist/trigger");
    }

    @Test
    void aHungReceiverCostsEveryAttemptThenMistsDefaultTrue() throws Exception {
        try (TriggerSender mist = new TriggerSender(hangingReceiver(), HUNG_ATTEMPT, 5)) {
            TriggerOutcome o = mist.send("USER_NEW", List.of("video+s", "1.2.3.4", "1", "HLS", "u", "s"), true).get();
            assertThat(o.attemptResults()).containsExactly("timeout", "timeout", "timeout", "timeout", "timeout");
            assertThat(o.usedDefault()).isTrue();
            assertThat(o.allowed()).isTrue();
            assertThat(o.latency()).isGreaterThanOrEqualTo(HUNG_ATTEMPT.multipliedBy(5));
        }
    }

    @Test
    void refusedConnectionsAreFailedAttemptsThenMistsDefaultTrue() throws Exception {
        // Bound, never listening, held open: connections are refused, and no listener or client source
        // port can take the port meanwhile (a port closed just now could become the sender's own
        // source port, and a connection to itself would succeed).
        try (Socket held = new Socket()) {
            held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            URI dead = URI.create("http://127.0.0.1:" + held.getLocalPort() + "/");
            try (TriggerSender mist = new TriggerSender(dead, ATTEMPT, 5)) {
                TriggerOutcome o = mist.send("USER_NEW", List.of("a"), true).get();
                assertThat(o.attemptResults()).hasSize(5).allMatch(r -> r.startsWith("error: "));
                assertThat(o.usedDefault()).isTrue();
                assertThat(o.allowed()).isTrue();
            }
        }
    }

    @Test
    void aNon200IsAFailureWhoseBodyIsIgnoredEvenFalse() throws Exception {
        try (TriggerSender mist = new TriggerSender(status(403, "false"), ATTEMPT, 5)) {
            TriggerOutcome o = mist.send("USER_NEW", List.of("a"), true).get();
            assertThat(o.attemptResults()).containsOnly("403").hasSize(5);
            assertThat(o.allowed()).as("only a 200 false denies").isTrue();
        }
    }

    @Test
    void aStringTriggerThatFailsYieldsTheLiteralTrue() throws Exception {
        try (TriggerSender mist = new TriggerSender(status(500, ""), ATTEMPT, 2)) {
            TriggerOutcome o = mist.send("STREAM_SOURCE", List.of("video+s"), true).get();
            assertThat(o.response()).isEqualTo("true");
            assertThat(o.usedDefault()).isTrue();
        }
    }

    @Test
    void onlyA200FalseDenies() throws Exception {
        try (TriggerSender mist = new TriggerSender(status(200, "false"), ATTEMPT, 5)) {
            TriggerOutcome o = mist.send("USER_NEW", List.of("a"), true).get();
            assertThat(o.attemptResults()).containsExactly("200");
            assertThat(o.allowed()).isFalse();
            assertThat(o.usedDefault()).isFalse();
        }
    }

    @Test
    void aNonBlockingTriggerIsSentOnceAndNotRetried() throws Exception {
        try (TriggerSender mist = new TriggerSender(status(500, ""), ATTEMPT, 5)) {
            TriggerOutcome o = mist.send("USER_END", List.of("a"), false).get();
            assertThat(o.attemptResults()).containsExactly("500");
        }
    }
}
