package io.mistguard.proxy.cli;

import io.mistguard.proxy.config.ProxyConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The start-up (and reload) check of what the configuration lets mistguard hold on the Java heap
 * against the heap this JVM may use ({@code -Xmx}; the image gives 128 MiB). The stores are bounded
 * in bytes: the last-known-good replies ({@code cache.max_bytes}) and, with the trigger listener on,
 * catalyst-api's last answers ({@code triggers.last_known_max_bytes}) and the triggers held for
 * delivery ({@code triggers.delivery.max_pending_bytes}); and each open connection holds about
 * {@value #BYTES_PER_CONNECTION} bytes (measured: 40.9 MiB live with 9 914 callers held against a
 * hung Mist, 2026-12-07). When all of them together could take more than three quarters of the heap
 * (the rest is room for the collector and for what is in flight), filling them runs the heap out,
 * and the image's {@code -XX:+ExitOnOutOfMemoryError} then ends the process: a restart, the stores
 * lost. So mistguard warns; it still starts, since the bounds are rarely all full at once.
 *
 * <p>The heap is this JVM's: {@code check-config} run with other flags judges its own. Stateless.
 */
final class HeapCheck {

    /** Heap held per open client connection, in bytes, rounded up from the 4.1 KB measured. */
    static final long BYTES_PER_CONNECTION = 4096;

    private HeapCheck() {
    }

    /** The heap this JVM may use, in bytes. */
    static long maxHeapBytes() {
        return Runtime.getRuntime().maxMemory();
    }

    /** What {@code config} lets mistguard hold on the heap at most, in bytes. */
    static long bounded(ProxyConfig config) {
        long bytes = config.policy().cache().maxBytes() + config.limits().maxConnections() * BYTES_PER_CONNECTION;
        if (config.triggers().enabled()) {
            bytes += config.triggers().lastKnownMaxBytes() + config.triggers().delivery().maxPendingBytes();
        }
        return bytes;
    }

    /** The warning when {@link #bounded} is over three quarters of {@code maxHeapBytes}; else empty. */
    static Optional<String> warning(ProxyConfig config, long maxHeapBytes) {
        long bounded = bounded(config);
        long room = maxHeapBytes / 4 * 3;
        if (bounded <= room) {
            return Optional.empty();
        }
        List<String> parts = new ArrayList<>();
        parts.add("cache.max_bytes " + ResourceChecks.mib(config.policy().cache().maxBytes()));
        if (config.triggers().enabled()) {
            parts.add("triggers.last_known_max_bytes " + ResourceChecks.mib(config.triggers().lastKnownMaxBytes()));
            parts.add("triggers.delivery.max_pending_bytes " + ResourceChecks.mib(config.triggers().delivery().maxPendingBytes()));
        }
        parts.add("limits.max_connections " + config.limits().maxConnections() + " at ~4 KiB each ("
                  + ResourceChecks.mib(config.limits().maxConnections() * BYTES_PER_CONNECTION) + ")");
        return Optional.of("the heap may have to hold " + ResourceChecks.mib(bounded) + " (" + String.join(", ", parts)
                + "), but this JVM's heap (-Xmx) is " + ResourceChecks.mib(maxHeapBytes) + ", and over " + ResourceChecks.mib(room)
                + " of it leaves too little room: filling them runs the heap out of memory, and with "
                + "-XX:+ExitOnOutOfMemoryError (the image's) mistguard exits. Lower them, or raise -Xmx (and the "
                + "container's memory limit)");
    }
}
