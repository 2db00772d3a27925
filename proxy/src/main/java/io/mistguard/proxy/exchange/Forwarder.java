package io.mistguard.proxy.exchange;

import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.upstream.PrivateConnection;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.concurrent.Future;

/**
 * Decides how one classified request is answered: the seam between the HTTP server and everything
 * that talks to Mist (today a direct call; route policies plug in here).
 */
public interface Forwarder {

    /**
     * Starts answering a request. Called on the caller's event loop.
     *
     * @param request the request as it should reach Mist (hop-by-hop headers already removed); the
     *                forwarder takes ownership and releases it
     * @param privateConnection {@code null} when the request is local-equivalent and stateless
     *                ({@link io.mistguard.proxy.classify.Trust#SHARED}): it may ride the shared pool and
     *                share calls and stored answers with other such callers. Otherwise the connection
     *                reserved for the caller's client connection: the request rides only that, and is
     *                never coalesced, cached, answered from a cache or queued on Mist's behalf.
     * @return the exchange; its answer future always succeeds, with Mist's answer or mistguard's own
     */
    Exchange forward(EventLoop loop, ByteBufAllocator alloc, FullHttpRequest request, MistRequest mistRequest,
                     PrivateConnection privateConnection);

    /** One request being answered. */
    interface Exchange {

        /**
         * Succeeds with the answer: the response to send, whose owner the listener becomes, and its
         * typed outcome. Never fails.
         */
        Future<Answer> response();

        /** The caller went away: stop upstream work and free what it holds. Idempotent. */
        void cancel();

        /**
         * Attempts at Mist this exchange has started so far, the one in flight included; 0 before the
         * first. Kept up to date only by an exchange whose progress other callers report (a call shared
         * by coalesced callers, whose callers may leave at their own deadlines first); any thread.
         */
        default int attemptsStarted() {
            return 0;
        }

        /**
         * Time at Mist so far, in nanoseconds: of the attempts ended, and of the one in flight until
         * {@code now} (a reading of the loops' clock). Kept by the same exchanges as
         * {@link #attemptsStarted()}; 0 otherwise. Any thread.
         */
        default long upstreamNanosSoFar(long now) {
            return 0;
        }
    }
}
