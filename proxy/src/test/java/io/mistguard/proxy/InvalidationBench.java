package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.invalidation.InvalidationStats;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.FaultRule;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures the invalidation path (not a pass/fail test; skipped unless {@code -Dbench=invalidations}):
 * enqueue latency and throughput over HTTP while Mist hangs every {@code invalidate_sessions}, and
 * names delivered per second once Mist recovers, with {@code batch_size} 1 and 50.
 * Run it with {@code deploy/bench/invalidations/run.sh}, which turns leak detection off.
 */
@EnabledIfSystemProperty(named = "bench", matches = "invalidations")
class InvalidationBench {

    private static final int CALLERS = Integer.getInteger("bench.callers", 16);
    private static final int WARMUP = Integer.getInteger("bench.warmup", 20_000);
    private static final int REQUESTS = Integer.getInteger("bench.requests", 100_000);
    private static final int STREAMS = 50;
    private static final int BACKLOG = Integer.getInteger("bench.backlog", 5_000);

    @TempDir
    Path dir;

    private final List<String> report = new ArrayList<>();

    @Test
    void measure() throws Exception {
        line("invalidation bench: %d callers (keep-alive), %d requests after %d warm-up, %d cores, %s",
                CALLERS, REQUESTS, WARMUP, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        try (SimMist mist = SimMist.builder().ioThreads(1).start()) {
            enqueueWhileMistHangs(mist);
            deliveryAfterRecovery(mist, 1);
            deliveryAfterRecovery(mist, 50);
        }
        Path out = Path.of("target", "invalidation-bench.txt");
        Files.write(out, report);
        line("written to %s", out.toAbsolutePath());
    }

    private TestProxy proxy(SimMist mist, int batchSize) throws InterruptedException {
        return TestProxy.start(TestProxy.config(mist.port(), Duration.ofSeconds(2)).withInvalidations(
                new InvalidationsConfig(batchSize, 10_000, Duration.ofMillis(200), Duration.ofMillis(1),
                        Duration.ofMillis(20), Duration.ofMillis(10), Duration.ofSeconds(1),
                        dir.resolve("b" + batchSize + ".state"), Duration.ZERO)));
    }

    /** Phase 1: every caller answered by mistguard while Mist never answers an invalidation. */
    private void enqueueWhileMistHangs(SimMist mist) throws Exception {
        mist.faults().clear();
        mist.faults().add(FaultRule.forCommand("invalidate_sessions").hang());
        try (TestProxy proxy = proxy(mist, 50)) {
            int port = proxy.mistguard.proxyAddress().getPort();
            run(port, WARMUP);
            long start = System.nanoTime();
            long[] latencies = run(port, REQUESTS);
            double seconds = (System.nanoTime() - start) / 1e9;
            Arrays.sort(latencies);
            line("enqueue while Mist hangs (%d streams, batch 50): %d requests in %.2f s = %.0f req/s; "
                    + "latency p50 %.3f ms, p99 %.3f ms, max %.3f ms",
                    STREAMS, REQUESTS, seconds, REQUESTS / seconds, pct(latencies, 0.50), pct(latencies, 0.99),
                    latencies[latencies.length - 1] / 1e6);
            InvalidationStats stats = proxy.mistguard.invalidationStats();
            line("  during the hang: calls %d, failed %d, max concurrent at Mist %d, depth %d, in flight %d, "
                    + "accepted %d, coalesced %d, requeued %d", stats.calls(), stats.failed(),
                    mist.recording().maxConcurrent("invalidate_sessions"), stats.depth(), stats.inFlight(),
                    stats.accepted(), stats.coalesced(), stats.requeued());
        }
    }

    /** Phase 2: {@value #BACKLOG} distinct names wait while Mist hangs; then it recovers. */
    private void deliveryAfterRecovery(SimMist mist, int batchSize) throws Exception {
        mist.faults().clear();
        mist.faults().add(FaultRule.forCommand("invalidate_sessions").hang());
        try (TestProxy proxy = proxy(mist, batchSize)) {
            int port = proxy.mistguard.proxyAddress().getPort();
            try (Caller caller = new Caller(port)) {
                for (int i = 0; i < BACKLOG; i++) {
                    caller.invalidate("video+backlog" + batchSize + "-" + i);
                }
            }
            mist.faults().clear();
            long cleared = System.nanoTime();
            long firstSent = -1;
            long sentAtFirst = 0;
            InvalidationStats stats = proxy.mistguard.invalidationStats();
            while (stats.depth() + stats.inFlight() > 0) {
                if (firstSent < 0 && stats.sent() > 0) {
                    firstSent = System.nanoTime();
                    sentAtFirst = stats.sent();
                }
                Thread.sleep(1);
                stats = proxy.mistguard.invalidationStats();
            }
            long end = System.nanoTime();
            double steady = (stats.sent() - sentAtFirst) / ((end - firstSent) / 1e9);
            line("delivery after recovery, batch_size %d: %d names in %.3f s from fault cleared "
                    + "(%.0f names/s after the first success; %d calls, %d failed before recovery)",
                    batchSize, BACKLOG, (end - cleared) / 1e9, steady, stats.calls(), stats.failed());
            assertThat(stats.sent()).isGreaterThanOrEqualTo(BACKLOG);
        }
    }

    private static long[] run(int port, int requests) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Future<long[]>> parts = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                int first = c;
                parts.add(pool.submit(() -> {
                    long[] mine = new long[(requests - first + CALLERS - 1) / CALLERS];
                    try (Caller caller = new Caller(port)) {
                        for (int i = first, n = 0; i < requests; i += CALLERS, n++) {
                            long t = System.nanoTime();
                            caller.invalidate("video+s" + (i % STREAMS));
                            mine[n] = System.nanoTime() - t;
                        }
                    }
                    return mine;
                }));
            }
            List<long[]> all = new ArrayList<>();
            for (Future<long[]> part : parts) {
                all.add(part.get());
            }
            return all.stream().flatMapToLong(Arrays::stream).toArray();
        } finally {
            pool.shutdownNow();
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    private void line(String format, Object... args) {
        String text = String.format(format, args);
        report.add(text);
        System.out.println(text);
    }

    /** One keep-alive connection speaking just enough HTTP/1.1 to send a form and read a Content-Length reply. */
    private static final class Caller implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final byte[] buffer = new byte[4096];

        Caller(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = socket.getInputStream();
        }

        void invalidate(String name) throws IOException {
            String body = "command=" + URLEncoder.encode("{\"invalidate_sessions\":\"" + name + "\"}",
                    StandardCharsets.UTF_8);
            out.write(("POST / HTTP/1.1\r\nHost: mist\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            readResponse();
        }

        private void readResponse() throws IOException {
            int filled = 0;
            int headerEnd;
            while ((headerEnd = indexOfBlankLine(filled)) < 0) {
                int n = in.read(buffer, filled, buffer.length - filled);
                if (n < 0) {
                    throw new IOException("connection closed");
                }
                filled += n;
            }
            String head = new String(buffer, 0, headerEnd, StandardCharsets.US_ASCII);
            if (!head.startsWith("HTTP/1.1 200") || !head.contains("Mistguard-Decision: queued")) {
                throw new IOException("unexpected answer: " + head);
            }
            int at = head.toLowerCase().indexOf("content-length:");
            int end = head.indexOf('\r', at);
            int length = Integer.parseInt(head.substring(at + 15, end < 0 ? head.length() : end).trim());
            int remaining = length - (filled - headerEnd - 4);
            while (remaining > 0) {
                int n = in.read(buffer, 0, Math.min(buffer.length, remaining));
                if (n < 0) {
                    throw new IOException("connection closed");
                }
                remaining -= n;
            }
        }

        private int indexOfBlankLine(int filled) {
            for (int i = 3; i < filled; i++) {
                if (buffer[i - 3] == '\r' && buffer[i - 2] == '\n' && buffer[i - 1] == '\r' && buffer[i] == '\n') {
                    return i - 3;
                }
            }
            return -1;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
