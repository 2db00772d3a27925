package io.mistguard.proxy.soak;

import java.util.ArrayList;
import java.util.List;

/**
 * The stretches of time, on the {@link System#nanoTime()} clock, from just before the soak sends
 * SIGTERM to mistguard until the next mistguard is ready. A request that overlaps one may find no
 * listener, or a connection closed by the draining process: expected then, and only then.
 * Thread-safe.
 */
final class RestartWindows {

    private final List<long[]> windows = new ArrayList<>();

    synchronized void begin() {
        windows.add(new long[] {System.nanoTime(), Long.MAX_VALUE});
    }

    synchronized void end() {
        windows.get(windows.size() - 1)[1] = System.nanoTime();
    }

    synchronized boolean overlaps(long from, long to) {
        for (long[] w : windows) {
            if (from <= w[1] && to >= w[0]) {
                return true;
            }
        }
        return false;
    }

    synchronized int count() {
        return windows.size();
    }
}
