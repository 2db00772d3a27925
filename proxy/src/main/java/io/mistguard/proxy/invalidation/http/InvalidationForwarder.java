package io.mistguard.proxy.invalidation.http;

import static java.util.Objects.requireNonNull;

import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.invalidation.OfferOutcome;
import io.mistguard.proxy.invalidation.StreamNames;
import io.mistguard.proxy.server.Forwarder;
import io.mistguard.proxy.upstream.PrivateConnection;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.concurrent.Future;
import java.util.List;
import java.util.function.Function;

/**
 * A {@link Forwarder} decorator that answers {@code {"invalidate_sessions": name | [names]}} itself,
 * in any encoding and on any path, by handing the names to the invalidation queue; every other
 * request (including a command that mixes {@code invalidate_sessions} with other keys) goes to the
 * wrapped forwarder unchanged. So does the command of a caller that is not local-equivalent (a
 * non-null {@code PrivateConnection}): the queue delivers on a connection Mist trusts as local, so
 * queueing for such a caller would lend it Mist's local rights.
 *
 * <p>Decision table for one intercepted request:
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
public final class InvalidationForwarder implements Forwarder {

    private final Function<String, OfferOutcome> queue;
    private final Forwarder delegate;

    /**
     * @param queue    offers one name, e.g. {@code InvalidationQueue::offer}
     * @param delegate answers everything that is not an {@code invalidate_sessions} command
     */
    public InvalidationForwarder(Function<String, OfferOutcome> queue, Forwarder delegate) {
        this.queue = requireNonNull(queue, "queue");
        this.delegate = requireNonNull(delegate, "delegate");
    }

    @Override
    public Exchange forward(EventLoop loop, ByteBufAllocator alloc, FullHttpRequest request, MistRequest mistRequest,
                            PrivateConnection privateConnection) {
        // The queue delivers as a local caller: only a caller Mist would trust as local may use it.
        // Anyone else's command goes to Mist on its own connection, and Mist decides.
        List<String> names = privateConnection == null ? InvalidateCommand.names(mistRequest) : null;
        if (names == null) {
            return delegate.forward(loop, alloc, request, mistRequest, privateConnection);
        }
        request.release(); // answered here: Mist never sees this request
        return answered(loop.newSucceededFuture(decide(alloc, names)));
    }

    private FullHttpResponse decide(ByteBufAllocator alloc, List<String> names) {
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
        return InvalidationReplies.queued(alloc);
    }

    private static Exchange answered(Future<FullHttpResponse> response) {
        return new Exchange() {
            @Override
            public Future<FullHttpResponse> response() {
                return response;
            }

            @Override
            public void cancel() {
                // Nothing to stop: the answer was complete before the caller could leave.
            }
        };
    }
}
