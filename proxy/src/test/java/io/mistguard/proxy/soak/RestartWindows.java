package io.mistguard.proxy.soak;

import java.util.ArrayList;
import java.util.List;

/**
 * The restarts of the soak on the {@link System#nanoTime()} clock: from just before SIGTERM to the
 * old process's exit (stopping: it drains, and what it answers must still be in budget), then to the
 * moment the new process answers {@code /readyz} (starting). A request that overlaps a restart may
 * find no listener, or a connection the draining process closed: expected then, and only then. One
 * that overlaps the start met a process whose listener was open before it said it was ready, still
 * loading classes and compiling: its wait is counted and reported, not held to the budget.
 * Thread-safe.
 */
final class RestartWindows {

    /** begin, exited, ready; {@code Long.MAX_VALUE} while not yet reached. */
    private final List<long[]> windows = new ArrayList<>();

    synchronized void begin() {
        windows.add(new long[] {System.nanoTime(), Long.MAX_VALUE, Long.MAX_VALUE});
    }

    /** The old process has exited; the new one is starting. */
    synchronized void exited() {
        windows.get(windows.size() - 1)[1] = System.nanoTime();
    }

    /** The new process answers {@code /readyz}. */
    synchronized void end() {
        long[] w = windows.get(windows.size() - 1);
        w[1] = Math.min(w[1], System.nanoTime());
        w[2] = System.nanoTime();
    }

    /** [{@code from}, {@code to}] overlaps a restart, stopping or starting. */
    synchronized boolean overlaps(long from, long to) {
        for (long[] w : windows) {
            if (from <= w[2] && to >= w[0]) {
                return true;
            }
        }
        return false;
    }

    /** [{@code from}, {@code to}] overlaps the start of a new process, before it was ready. */
    synchronized boolean overlapsStart(long from, long to) {
        for (long[] w : windows) {
            if (from <= w[2] && to >= w[1]) {
                return true;
            }
        }
        return false;
    }

    synchronized int count() {
        return windows.size();
    }
}
