package io.mistguard.proxy.route;

import io.mistguard.proxy.cache.CacheObserver;
import io.mistguard.proxy.cache.CacheSnapshot;
import io.mistguard.proxy.cache.ReadCache;
import io.mistguard.proxy.cache.ReadRoute;
import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.config.RouteKind;
import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.exchange.QueueHandoff;
import io.mistguard.proxy.policy.PolicyRegistry;
import io.mistguard.proxy.time.Ticker;
import io.mistguard.proxy.upstream.PrivateConnection;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One route table in force: picks each request's route ({@link RouteTable}) and dispatches on the
 * route's kind —
 * <ul>
 *   <li>{@code queued}: to the {@link QueueHandoff} (the invalidation queue), when the caller is
 *       local-equivalent and the queue can read the command; otherwise as a write;
 *   <li>{@code read} with caching or coalescing: to the route's {@link ReadRoute}, which shares one
 *       policed call among identical local-equivalent reads and answers from stored replies;
 *   <li>everything else, and whatever the cache cannot key: one policed call of the caller's own
 *       ({@link PolicyRegistry#call}).
 * </ul>
 * Answers given without a policed call of the caller's own (queue, cache) are counted with the
 * route's decisions and answer latencies, as those of its own calls are: once per caller.
 * Thread-safe: everything it holds is immutable or lock-free.
 *
 * <p>A reload builds a new dispatcher from the previous one: the policies carry over as
 * {@link PolicyRegistry} decides, and the read cache while its bounds are unchanged (entries are
 * keyed by route name, so unchanged routes keep their last-known-good answers).
 */
public final class RouteDispatcher implements Forwarder {

    private final RouteTable table;
    private final PolicyRegistry policies;
    private final ReadCache cache;
    /** Per route in table order, its view of the cache; {@code null} where the route makes its own calls. */
    private final List<ReadRoute> reads;
    private final QueueHandoff queue;
    /** The clock of the queue's answers' waits, and of the read cache. */
    private final Ticker ticker;

    /**
     * @param policies the policies of {@code config}'s routes
     * @param queue where {@code queued} routes' requests go; {@code null}: they go to Mist as writes
     * @param ticker the clock of the read cache's entries
     * @param previous the dispatcher this one replaces on a reload, or {@code null}
     */
    public RouteDispatcher(PolicyConfig config, PolicyRegistry policies, QueueHandoff queue, Ticker ticker,
                           RouteDispatcher previous) {
        this.table = new RouteTable(config.routes());
        this.policies = policies;
        this.queue = queue;
        this.ticker = ticker;
        this.cache = previous != null && previous.cache.config().equals(config.cache()) ? previous.cache
                : new ReadCache(config.cache(), ticker);
        List<ReadRoute> byRoute = new ArrayList<>();
        for (int i = 0; i < config.routes().size(); i++) {
            byRoute.add(cache.route(config.routes().get(i), counted(i)));
        }
        this.reads = Collections.unmodifiableList(byRoute);
    }

    @Override
    public Exchange forward(EventLoop loop, ByteBufAllocator alloc, FullHttpRequest request, MistRequest mistRequest,
                            PrivateConnection privateConnection) {
        int route = table.indexOf(mistRequest);
        // The queue delivers as a local caller: only a local-equivalent caller's request may use it.
        if (table.routes().get(route).kind() == RouteKind.QUEUED && queue != null && privateConnection == null) {
            long arrived = ticker.nanoTime();
            Answer queued = queue.offer(alloc, request, mistRequest);
            if (queued != null) {
                Answer answer = queued.onRoute(table.routes().get(route).name());
                policies.answeredElsewhere(route, answer.decision(), ticker.nanoTime() - arrived, null);
                return answered(loop.newSucceededFuture(answer));
            }
        }
        ReadRoute read = reads.get(route);
        // Only local-equivalent callers share calls and stored answers, and only with each other.
        if (read != null && privateConnection == null) {
            Exchange cached = read.forward(loop, alloc, request, mistRequest,
                    policies.budgetNanos(route, request.headers()),
                    (l, a, r, arrived, budget, wanted) -> policies.sharedCall(route, l, a, r, arrived, budget, wanted));
            if (cached != null) {
                return cached;
            }
        }
        return policies.call(route, loop, alloc, request, privateConnection);
    }

    /** Counts the answers the cache gives callers itself with the route's other decisions and latencies. */
    private CacheObserver counted(int route) {
        return (decision, waitedNanos, staleAge) -> policies.answeredElsewhere(route, decision, waitedNanos, staleAge);
    }

    private static Exchange answered(Future<Answer> answer) {
        return new Exchange() {
            @Override
            public Future<Answer> response() {
                return answer;
            }

            @Override
            public void cancel() {
                // Nothing to stop: the answer was complete before the caller could leave.
            }
        };
    }

    /** The policies of this table: breakers, pools, per-route counters. */
    public PolicyRegistry policies() {
        return policies;
    }

    /** The routes and settings this table serves. */
    public PolicyConfig config() {
        return policies.config();
    }

    /** The read cache's counters and size. */
    public CacheSnapshot cache() {
        return cache.snapshot();
    }
}
