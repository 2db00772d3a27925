package io.mistguard.proxy.soak;

import io.mistguard.proxy.config.ProxyConfig;

/**
 * Judges two {@link ResourceSample}s of one mistguard process, the second taken after minutes of
 * chaos, both with callers paused and after a full GC. Growth is allowed only where the config
 * allows it: the heap by the read cache's and the trigger last-known store's byte bounds (the first
 * sample may have them nearly empty) plus 16 MiB of room for Netty's pools, Micrometer's histograms
 * and the JIT's heap-side data; threads by 4 (JVM-internal threads come and go, mistguard's own are
 * fixed: its event loops, the invalidation and access-log threads); descriptors by the idle pool to
 * Mist plus 8, not counting the connections Mist's trigger sender keeps open to the trigger listener
 * (its keep-alive pool, which mistguard closes only after 60 s idle). A leak of one object, thread or socket per request — thousands of requests later —
 * is far past all three. Stateless.
 */
final class SoakResources {

    private static final long HEAP_ROOM = 16L * 1024 * 1024;
    private static final long THREAD_ROOM = 4;
    private static final long FD_ROOM = 8;

    private SoakResources() {
    }

    static void compare(ResourceSample start, ResourceSample end, ProxyConfig config, Invariants invariants) {
        long heapAllowed = start.heapBytes() + config.policy().cache().maxBytes()
                + (config.triggers().enabled() ? config.triggers().lastKnownMaxBytes() : 0) + HEAP_ROOM;
        invariants.check(Invariants.RESOURCES, end.heapBytes() <= heapAllowed,
                () -> String.format("heap grew from %.1f to %.1f MiB (allowed up to %.1f MiB)",
                        mib(start.heapBytes()), mib(end.heapBytes()), mib(heapAllowed)));
        invariants.check(Invariants.RESOURCES, end.threads() <= start.threads() + THREAD_ROOM,
                () -> "threads grew from " + start.threads() + " to " + end.threads());
        long fdsAllowed = start.ownFds() + (long) config.ioThreads() * config.upstream().maxIdleConnectionsPerThread() + FD_ROOM;
        invariants.check(Invariants.RESOURCES, end.ownFds() <= fdsAllowed,
                () -> "file descriptors (without Mist's trigger connections) grew from " + start.ownFds() + " to "
                        + end.ownFds() + " (allowed up to " + fdsAllowed + ")");
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }
}
