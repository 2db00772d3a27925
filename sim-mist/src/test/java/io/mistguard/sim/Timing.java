package io.mistguard.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

/**
 * Timing helpers shared by sim-mist's loopback tests, whatever package they test: waiting, with a
 * deadline, until a sim-mist has received requests, and the time elapsed since a start.
 */
public final class Timing {

    private Timing() {
    }

    /** Waits up to 5 s until {@code m} has recorded at least {@code n} requests, then asserts it has. */
    public static void awaitRequests(SimMist m, long n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (m.recording().requestCount() < n && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(m.recording().requestCount()).isGreaterThanOrEqualTo(n);
    }

    /** The time since {@code startNanos}, a {@link System#nanoTime()} reading. */
    public static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
