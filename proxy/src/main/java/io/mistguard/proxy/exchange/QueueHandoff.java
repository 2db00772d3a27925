package io.mistguard.proxy.exchange;

import io.mistguard.proxy.classify.MistRequest;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;

/**
 * Where the route table sends the requests of its {@code queued} routes: a queue that answers at
 * once and delivers to Mist later (the {@code invalidate_sessions} queue). The route table decides
 * which requests are queued; the queue only reads what to queue from the command.
 */
@FunctionalInterface
public interface QueueHandoff {

    /**
     * Offers a local-equivalent request of a {@code queued} route. Called on the caller's event loop;
     * never blocks.
     *
     * @return the answer ({@link Decision#QUEUED} or the queue's rejection; the caller adds the
     *         route), having taken ownership of {@code request}; or {@code null} when the command is
     *         not one this queue can take (then the request, still owned by the caller, goes to Mist
     *         under the route's policies)
     */
    Answer offer(ByteBufAllocator alloc, FullHttpRequest request, MistRequest mistRequest);
}
