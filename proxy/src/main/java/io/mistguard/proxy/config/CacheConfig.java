package io.mistguard.proxy.config;

/**
 * Bounds of the last-known-good store shared by all {@code read} routes (top-level {@code cache:}).
 * Immutable.
 *
 * @param maxBytes the most bytes of stored answers (bodies, keys and per-entry overhead); the least
 *                 recently used entries are evicted to stay under it
 * @param maxEntries the most entries held
 */
public record CacheConfig(long maxBytes, int maxEntries) {

    /** Twice a large Catalyst box's non-minimal reply of a few MiB, many times over. */
    private static final CacheConfig DEFAULTS = new CacheConfig(32L * 1024 * 1024, 1000);

    public CacheConfig {
        Require.inRange(maxBytes, 1, Long.MAX_VALUE, "maxBytes");
        Require.inRange(maxEntries, 1, Integer.MAX_VALUE, "maxEntries");
    }

    public static CacheConfig defaults() {
        return DEFAULTS;
    }
}
