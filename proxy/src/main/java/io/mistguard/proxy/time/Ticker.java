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

    /** The current reading, as {@link System#nanoTime()} would give it. */
    long nanoTime();

    /** The JVM's monotonic clock. */
    static Ticker system() {
        return System::nanoTime;
    }
}
