package io.mistguard.proxy.cache;

import io.mistguard.proxy.config.CacheConfig;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.config.RouteKind;
import io.mistguard.proxy.time.Ticker;

/**
 * The read cache of one mistguard: the last-known-good store (bounded by {@code cache:}) and the
 * table of calls in flight, shared by every {@code read} route, with their counters. Keys start with
 * the route name, so routes never see each other's entries. Thread-safe.
 */
public final class ReadCache {

    private final CacheStats stats = new CacheStats();
    private final CacheConfig config;
    private final LastKnownGood store;
    private final InFlightCalls calls = new InFlightCalls();
    private final Ticker ticker;

    public ReadCache(CacheConfig config, Ticker ticker) {
        this.config = config;
        this.store = new LastKnownGood(config, stats);
        this.ticker = ticker;
    }

    /**
     * The cache's view of {@code route}, or {@code null} when the route neither coalesces nor stores.
     * {@code observer} hears of every answer the cache gives a caller itself.
     */
    public ReadRoute route(RouteConfig route, CacheObserver observer) {
        if (route.kind() != RouteKind.READ || !route.caching().enabled()) {
            return null;
        }
        return new ReadRoute(route, store, calls, stats, observer, ticker);
    }

    /** The bounds this cache was built with (a reload keeps the cache only when they are unchanged). */
    public CacheConfig config() {
        return config;
    }

    public CacheSnapshot snapshot() {
        return CacheSnapshot.of(store, stats);
    }

    /** Calls in flight now (each shared by one or more callers). */
    public int inFlight() {
        return calls.size();
    }
}
