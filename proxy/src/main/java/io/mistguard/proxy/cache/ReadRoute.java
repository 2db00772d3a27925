package io.mistguard.proxy.cache;

import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.config.ReadCaching;
import io.mistguard.proxy.config.RouteConfig;
import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.time.Ticker;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;

/**
 * A {@code read} route's use of the cache: its windows ({@code fresh_for}, {@code while_revalidate},
 * {@code stale.max_age}), whether it coalesces, and the shared store and in-flight table. The policy
 * layer hands it each request of the route; it answers those it can key and returns {@code null}
 * for the others, which then make their own call. Immutable; thread-safe.
 */
public final class ReadRoute {

    private final RouteConfig config;
    private final ReadCaching caching;
    private final LastKnownGood store;
    private final InFlightCalls calls;
    private final CacheStats stats;
    private final CacheObserver observer;
    private final Ticker ticker;

    ReadRoute(RouteConfig config, LastKnownGood store, InFlightCalls calls, CacheStats stats, CacheObserver observer,
              Ticker ticker) {
        this.config = config;
        this.caching = config.caching();
        this.store = store;
        this.calls = calls;
        this.stats = stats;
        this.observer = observer;
        this.ticker = ticker;
    }

    /**
     * Answers {@code request} through the cache, or returns {@code null} (request untouched) when it
     * must not be: see {@link CacheKeys}. Called on the caller's event loop.
     *
     * @param budgetNanos the caller's budget: the route timeout, shortened by a deadline header
     * @param origin starts the shared, policed call to Mist
     */
    public Forwarder.Exchange forward(EventLoop loop, ByteBufAllocator alloc, FullHttpRequest request,
                                      MistRequest mist, long budgetNanos, SharedOrigin origin) {
        String key = CacheKeys.of(config.name(), request, mist);
        if (key == null) {
            return null;
        }
        long arrived = ticker.nanoTime();
        ReadExchange exchange = new ReadExchange(this, origin, loop, alloc, request, key, mist.hasCommand(),
                                                 arrived, arrived + budgetNanos);
        exchange.start();
        return exchange;
    }

    String name() {
        return config.name();
    }

    boolean coalescing() {
        return caching.coalesce();
    }

    InFlightCalls calls() {
        return calls;
    }

    CacheObserver observer() {
        return observer;
    }

    CacheStats stats() {
        return stats;
    }

    long now() {
        return ticker.nanoTime();
    }

    /** An entry young enough to answer without waiting: within fresh_for + while_revalidate. */
    StoredReply usable(String key, long now) {
        long window = caching.freshFor().plus(caching.whileRevalidate()).toNanos();
        return window == 0 ? null : store.get(key, now, window);
    }

    boolean isFresh(StoredReply reply, long now) {
        return reply.ageNanos(now) <= caching.freshFor().toNanos();
    }

    /** The stale answer for a call that failed with {@code cause}, or null when there is no usable entry. */
    Answer stale(String key, Decision cause) {
        if (caching.staleMaxAge() == null) {
            return null;
        }
        long now = ticker.nanoTime();
        StoredReply reply = store.get(key, now, caching.staleMaxAge().toNanos());
        if (reply == null) {
            store.expire(key, now, caching.maxServedAge().toNanos());
            stats.staleMisses.increment();
            return null;
        }
        stats.stale.increment();
        return CachedAnswers.stale(reply, cause, now);
    }

    SharedCall newCall(String key, EventLoop loop, long arrived, long startersDeadline) {
        long deadline = arrived + config.timeout().toNanos();
        return new SharedCall(key, coalescing() ? calls : null, loop, deadline, Math.min(startersDeadline, deadline),
                              ticker);
    }

    /** Starts {@code call} with {@code request}; a good result is stored before any waiter sees it. */
    void startCall(SharedCall call, SharedOrigin origin, ByteBufAllocator alloc, FullHttpRequest request,
                   long arrived, boolean commandReply) {
        stats.sharedCalls.increment();
        call.start(origin, alloc, request, arrived, commandReply, result -> {
            if (result.good() != null && caching.stores()) {
                store.put(call.key(), result.good());
            }
        });
    }

    /**
     * Makes sure one call refreshes {@code key}: starts one that nobody's leaving can cancel, bounded
     * by the route's {@code per_try_timeout} (the only upstream work with no caller waiting), unless
     * one is in flight already. Takes {@code request}.
     */
    void refresh(String key, SharedOrigin origin, EventLoop loop, ByteBufAllocator alloc, FullHttpRequest request,
                 long arrived, boolean commandReply) {
        long deadline = arrived + config.perTryTimeout().toNanos();
        SharedCall mine = new SharedCall(key, calls, loop, deadline, deadline, ticker);
        SharedCall.Waiter joined = calls.joinOrRegister(key, mine, arrived); // leaves at once: it extends nobody's wait
        if (joined.call() != mine) {
            // One is in flight and refreshes the entry unless its waiters all go first (then the
            // next caller past fresh starts another refresh). Our leaving ends it only if every other
            // waiter went meanwhile, which would have ended it anyway (a refresh's starter never goes).
            joined.leave();
            request.release();
            return;
        }
        startCall(mine, origin, alloc, request, arrived, commandReply); // its one waiter never leaves
    }
}
