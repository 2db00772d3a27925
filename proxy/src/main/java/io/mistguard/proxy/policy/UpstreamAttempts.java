package io.mistguard.proxy.policy;

import io.mistguard.proxy.upstream.UpstreamCall;
import io.mistguard.proxy.upstream.UpstreamClient;
import io.mistguard.proxy.upstream.PrivateConnection;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.concurrent.Future;

/**
 * Starts single upstream attempts: the seam between policies and the HTTP client, so that the
 * policy engine can be driven by scripted attempts in tests.
 */
@FunctionalInterface
public interface UpstreamAttempts {

    /**
     * Starts one attempt on {@code loop} (the current thread); it owns and releases {@code request}.
     * Its result completes with Mist's response or fails with an {@code UpstreamException}.
     *
     * @param privateConnection the caller's reserved connection, or {@code null} for the shared pool
     * @param replayable whether Mist may be sent the request again though it may have read it (a
     *        {@code read} route's: {@link io.mistguard.proxy.config.RouteKind#replayable()}); when not, a
     *        reused connection that Mist closed is sent it again only on proof that Mist never read it
     *        ({@link UpstreamCall})
     */
    Attempt start(EventLoop loop, FullHttpRequest request, long timeoutNanos, PrivateConnection privateConnection,
                  boolean replayable);

    /** One attempt in flight. */
    interface Attempt {
        Future<FullHttpResponse> result();

        /** Closes the attempt's connection at once; its result fails with {@code CANCELLED}. */
        void cancel();
    }

    /** Attempts through the real client. */
    static UpstreamAttempts of(UpstreamClient client) {
        return (loop, request, timeoutNanos, privateConnection, replayable) -> {
            UpstreamCall call = client.call(loop, request, timeoutNanos, privateConnection, replayable);
            return new Attempt() {
                @Override
                public Future<FullHttpResponse> result() {
                    return call.result();
                }

                @Override
                public void cancel() {
                    call.cancel();
                }
            };
        };
    }
}
