package io.mistguard.proxy.invalidation.http;

import static java.util.Objects.requireNonNull;

import io.mistguard.proxy.classify.MistJsonp;
import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.QueueHandoff;
import io.mistguard.proxy.invalidation.OfferOutcome;
import io.mistguard.proxy.invalidation.StreamNames;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import java.util.List;
import java.util.function.Function;

/**
 * The invalidation queue as the route table's {@link QueueHandoff}: the requests of a {@code queued}
 * route (shipped: {@code invalidate-sessions}, matching {@code {"invalidate_sessions": …}}) that carry
 * {@code {"invalidate_sessions": name | [names]}} are answered here, at once, by handing the names to
 * the queue. Which requests come here is the route table's decision alone; a command this class cannot
 * read as an invalidation ({@link InvalidateCommand}) is given back and goes to Mist under the route's
 * policies. Only local-equivalent callers' requests are offered (the queue delivers as a local caller).
 *
 * <p>Decision table for one request:
 * <ul>
 *   <li>a name fails {@link StreamNames#problem} → 400, and nothing is offered;
 *   <li>every name accepted (queued, coalesced or re-queued after its flight) → 200 with Mist's reply;
 *   <li>an offer is refused as full or shutting down → 503 {@code Retry-After: 1}, and the remaining
 *       names are not offered. Names offered before it stay queued and will be delivered; the caller
 *       retries the whole request, and re-offering those names merely coalesces.
 * </ul>
 *
 * <p>Stateless apart from the queue it feeds: {@code offer} is lock-free, so the answer is built on
 * the caller's event loop at once and never waits on Mist. Thread-safe.
 */
public final class InvalidationForwarder implements QueueHandoff {

    private final Function<String, OfferOutcome> queue;

    /** @param queue offers one name, e.g. {@code InvalidationQueue::offer} */
    public InvalidationForwarder(Function<String, OfferOutcome> queue) {
        this.queue = requireNonNull(queue, "queue");
    }

    @Override
    public Answer offer(ByteBufAllocator alloc, FullHttpRequest request, MistRequest mistRequest) {
        List<String> names = InvalidateCommand.names(mistRequest);
        if (names == null) {
            return null;
        }
        String jsonp = MistJsonp.functionOf(request); // Mist's reply would be wrapped in it
        request.release(); // answered here: Mist never sees this request
        return decide(alloc, names, jsonp);
    }

    private Answer decide(ByteBufAllocator alloc, List<String> names, String jsonp) {
        for (int i = 0; i < names.size(); i++) {
            String problem = StreamNames.problem(names.get(i));
            if (problem != null) {
                return InvalidationReplies.invalid(alloc, i, problem);
            }
        }
        for (int i = 0; i < names.size(); i++) {
            OfferOutcome outcome = queue.apply(names.get(i));
            if (outcome.accepted()) {
                continue;
            }
            return switch (outcome) {
                case REJECTED_FULL -> InvalidationReplies.full(alloc, i, names.size());
                case REJECTED_SHUTDOWN -> InvalidationReplies.shuttingDown(alloc, i, names.size());
                default -> InvalidationReplies.invalid(alloc, i, "refused by the queue as " + outcome);
            };
        }
        return InvalidationReplies.queued(alloc, jsonp);
    }
}
