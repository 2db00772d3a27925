package io.mistguard.proxy.invalidation.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.mistguard.proxy.invalidation.InvalidationSender;
import io.mistguard.proxy.upstream.UpstreamCall;
import io.mistguard.proxy.upstream.UpstreamClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * Delivers one batch to Mist as {@code POST /api2} with the form body
 * {@code command={"invalidate_sessions":[names]}}, the way catalyst-api sends it but asking for
 * Mist's minimal reply. No {@code X-Real-IP} or {@code X-Forwarded-For} is ever added, so Mist
 * authorises the loopback connection itself (mist-api.md §2).
 *
 * <p>The call runs on one of the worker event loops through the shared {@link UpstreamClient}, so it
 * uses the same keep-alive pool as proxied traffic; {@code call_timeout} bounds it and closes its
 * connection on expiry. Success is an HTTP 200 whose JSON says {@code authorize.status == "OK"};
 * anything else fails the stage and the queue backs off. The stage always ends, also when the request
 * cannot be built (no direct memory left) or the reply cannot be judged: the drainer waits for it.
 * Stateless apart from its settings; thread-safe; never blocks.
 */
public final class MistInvalidationSender implements InvalidationSender {

    static final String PATH = "/api2";
    private static final JsonStringEncoder JSON_STRINGS = JsonStringEncoder.getInstance();

    private final UpstreamClient upstream;
    private final EventLoopGroup loops;
    private final String hostHeader;
    private final long timeoutNanos;
    private final ByteBufAllocator alloc;

    /**
     * @param hostHeader  the {@code Host} header, Mist's {@code host:port}
     * @param callTimeout one attempt, connect included
     */
    public MistInvalidationSender(UpstreamClient upstream, EventLoopGroup loops, String hostHeader,
                                  Duration callTimeout) {
        this(upstream, loops, hostHeader, callTimeout, ByteBufAllocator.DEFAULT);
    }

    /** As above, with the allocator of the request's body (tests: one with no memory left). */
    MistInvalidationSender(UpstreamClient upstream, EventLoopGroup loops, String hostHeader, Duration callTimeout,
                           ByteBufAllocator alloc) {
        this.upstream = requireNonNull(upstream, "upstream");
        this.loops = requireNonNull(loops, "loops");
        this.hostHeader = requireNonNull(hostHeader, "hostHeader");
        this.timeoutNanos = callTimeout.toNanos();
        this.alloc = requireNonNull(alloc, "alloc");
    }

    @Override
    public CompletionStage<Void> send(List<String> names) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        EventLoop loop = loops.next();
        try {
            // The request is built on the loop, so a loop that refuses the task leaves nothing to release.
            loop.execute(() -> start(loop, names, done));
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    private void start(EventLoop loop, List<String> names, CompletableFuture<Void> done) {
        UpstreamCall call;
        try {
            // Replayable: invalidate_sessions is idempotent, so a call that met a connection Mist closed
            // after reading it is sent again at once, not failed and sent again after a backoff (found
            // by review). The loop's shared pool: the drainer is a local-equivalent caller.
            call = upstream.call(loop, request(alloc, hostHeader, names), timeoutNanos, null, true);
        } catch (RuntimeException | OutOfMemoryError e) {
            // No memory left for the body, say: the stage must still end, or the drainer, which waits
            // for it, stalls every invalidation until a restart (found by review). It backs off instead.
            done.completeExceptionally(e);
            return;
        }
        call.result().addListener((Future<FullHttpResponse> f) -> {
            if (!f.isSuccess()) {
                done.completeExceptionally(f.cause());
                return;
            }
            FullHttpResponse response = f.getNow();
            try {
                String problem = MistReplies.problem(response);
                if (problem == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(new IllegalStateException("Mist refused invalidate_sessions: " + problem));
                }
            } catch (RuntimeException e) {
                done.completeExceptionally(e); // a listener's exception is only logged: the stage must end
            } finally {
                response.release();
            }
        });
    }

    static FullHttpRequest request(ByteBufAllocator alloc, String hostHeader, List<String> names) {
        String form = "command=" + URLEncoder.encode(command(names), StandardCharsets.UTF_8);
        ByteBuf body = ByteBufUtil.writeAscii(alloc, form);
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, PATH, body);
        request.headers()
                .set(HttpHeaderNames.HOST, hostHeader)
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_X_WWW_FORM_URLENCODED)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return request;
    }

    /** {@code {"invalidate_sessions":[...]}} with each name as a JSON string. */
    static String command(List<String> names) {
        StringBuilder json = new StringBuilder(32 + names.size() * 24).append("{\"invalidate_sessions\":[");
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append('"').append(JSON_STRINGS.quoteAsString(names.get(i))).append('"');
        }
        return json.append("]}").toString();
    }
}
