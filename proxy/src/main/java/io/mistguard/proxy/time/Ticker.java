package io.mistguard.proxy.time;

/**
 * A monotonic time source in nanoseconds, injected wherever code measures elapsed time so that tests
 * can advance a fake clock instead of sleeping.
 *
 * <p>Only differences between two readings are meaningful; the origin is arbitrary. Implementations
 * must be safe to call from any thread.
 */
@FunctionalInterface
public interface Ticker {

    /** The current reading, in nanoseconds from an arbitrary origin. */
    long nanoTime();

    /**
     * The JVM's monotonic clock as every Netty event loop reads it ({@code EventExecutor.ticker()}):
     * the one clock on which deadlines are reckoned and timers run, so readings taken here and on a
     * loop compare.
     */
    static Ticker system() {
        io.netty.util.concurrent.Ticker netty = io.netty.util.concurrent.Ticker.systemTicker();
        return netty::nanoTime;
    }

    /** A Netty ticker (an event loop's, or a test's {@code MockTicker}) as a {@code Ticker}. */
    static Ticker of(io.netty.util.concurrent.Ticker netty) {
        return netty::nanoTime;
    }
}
