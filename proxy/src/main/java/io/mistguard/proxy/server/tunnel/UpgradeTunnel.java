package io.mistguard.proxy.server.tunnel;

import static java.util.Objects.requireNonNull;

import io.mistguard.proxy.classify.MistUrlEncoding;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.net.LingeringClose;
import io.mistguard.proxy.upstream.UpstreamFailure;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseNotifier;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Passes HTTP/1.1 WebSocket upgrades through to Mist (its web UI's live view,
 * {@code GET /ws?logs=100&streams=1}, mist-api.md §8): the entry point the client connection's last
 * handler calls for a request {@link #isUpgrade} accepts.
 *
 * <p>{@link #start} takes the caller's connection over for good: it no longer reads HTTP requests.
 * A dedicated connection to Mist carries the upgrade request; Mist's 101 is relayed as it came and
 * the two connections then become a byte tunnel with back-pressure and an idle timeout. Any other
 * answer, a failure, or a refusal by mistguard ends with {@code Connection: close}. See
 * {@link Tunnel} for the phases and {@link TunnelPipelines} for what happens to the pipelines.
 *
 * <p>Refused by mistguard, with a plain-text body and {@code Mistguard-Decision: rejected; reason=…}:
 * upgrades to anything but {@code websocket} (501 {@code upgrade-unsupported}), a websocket upgrade
 * that is not a body-less GET (400 {@code bad-upgrade}), and one past {@code maxTunnels}
 * (503 {@code too-many-tunnels}).
 *
 * <p>One instance per listener, shared by its connections; thread-safe.
 */
public final class UpgradeTunnel {

    /** The one path on Mist's API port that serves WebSocket: the web UI's live view. */
    public static final String WEBSOCKET_PATH = "/ws";

    private final TunnelSettings settings;
    private final AtomicInteger open = new AtomicInteger();
    private final HandshakeCounts handshakes = new HandshakeCounts();

    public UpgradeTunnel(TunnelSettings settings) {
        this.settings = requireNonNull(settings, "settings");
    }

    /**
     * Whether {@code request} asks to switch protocols (RFC 9110 §7.8): HTTP/1.1 or later, an
     * {@code Upgrade} field, and a {@code Connection} field listing the {@code upgrade} token
     * (case-insensitive). True for any protocol; {@link #start} refuses all but {@code websocket}.
     */
    public static boolean isUpgrade(HttpRequest request) {
        return UpgradeRequests.isUpgrade(request);
    }

    /**
     * Whether {@code request} asks to switch to WebSocket: {@link #isUpgrade} with {@code websocket}
     * among the {@code Upgrade} protocols. Other upgrades ({@code h2c}) are ordinary requests to Mist,
     * with {@code Upgrade} stripped as a hop-by-hop field.
     */
    public static boolean isWebSocketUpgrade(HttpRequest request) {
        return isUpgrade(request)
                && request.headers().containsValue(io.netty.handler.codec.http.HttpHeaderNames.UPGRADE,
                                                   io.netty.handler.codec.http.HttpHeaderValues.WEBSOCKET, true);
    }

    /**
     * Whether {@code request} (in origin form) is a WebSocket upgrade of the one path Mist's API port
     * serves WebSocket on: {@code /ws}, any query (Mist's web UI live view; mist-api.md §8; Mist's
     * {@code controller_api.cpp} tests {@code H.url == "/ws"}). The tunnel takes it ({@link #start}
     * refuses one that is not a {@code GET}, RFC 6455 §4.1). A request with upgrade headers on any
     * other path is an API call to Mist, which runs its command: it must take its route — breaker,
     * admission, queue, budget — like any other, with {@code Upgrade} stripped as a hop-by-hop field.
     * Found by review: the headers alone sent {@code /api2?command={"nuke_stream":…}} through the
     * tunnel past a forced-open breaker.
     */
    public static boolean isMistWebSocket(HttpRequest request) {
        if (!isWebSocketUpgrade(request)) {
            return false;
        }
        String uri = request.uri();
        int query = uri.indexOf('?');
        // Decoded as Mist decodes its URL before comparing (Encodings::URL::decode(url, true)): found by
        // review, /%77s is Mist's WebSocket too, and went to it stripped of its upgrade headers.
        return MistUrlEncoding.decode(query < 0 ? uri : uri.substring(0, query), true).equals(WEBSOCKET_PATH);
    }

    /**
     * Answers an upgrade request and, when Mist agrees, tunnels the connection to Mist.
     *
     * <p>Call it from the client connection's last handler, for a request {@link #isUpgrade} accepts,
     * and do nothing more with that connection: its request-reading handlers ({@code proxy},
     * {@code aggregator}, {@code read-timeout}, {@code decoder}, and the calling handler) are
     * removed at once. Runs on the client's event loop (it hops there if called elsewhere) and never
     * blocks.
     *
     * @param client  the context of the calling handler
     * @param request the aggregated upgrade request; ownership passes to the tunnel
     * @return succeeds, never fails, once the caller's answer is decided and handed to its connection
     *         (or the caller left first): with the status and decision it got
     */
    public Future<HandshakeOutcome> start(ChannelHandlerContext client, FullHttpRequest request) {
        requireNonNull(client, "client");
        requireNonNull(request, "request");
        EventLoop loop = client.channel().eventLoop();
        if (loop.inEventLoop()) {
            return begin(client, request);
        }
        Promise<HandshakeOutcome> answered = loop.newPromise();
        try {
            loop.execute(() -> PromiseNotifier.cascade(begin(client, request), answered));
        } catch (RejectedExecutionException e) {
            request.release(); // the loop is shutting down, and with it the connection
            client.channel().close();
            answered.setSuccess(HandshakeOutcome.rejected(UpstreamFailure.CANCELLED.status(), Decision.CANCELLED, 0));
        }
        return answered;
    }

    /** Tunnels being opened or open: counted from {@link #start} until both connections are closed. */
    public int openTunnels() {
        return open.get();
    }

    /** Handshakes that went to Mist so far that ended with {@code reason} ({@link HandshakeCounts}). */
    public long handshakes(Decision reason) {
        return handshakes.count(reason);
    }

    /** The settings this instance was built with. */
    public TunnelSettings settings() {
        return settings;
    }

    private Future<HandshakeOutcome> begin(ChannelHandlerContext ctx, FullHttpRequest request) {
        Channel client = ctx.channel();
        Promise<HandshakeOutcome> outcome = client.eventLoop().newPromise();
        EarlyDataHold hold = new EarlyDataHold();
        TunnelPipelines.takeOverClient(ctx, hold);
        UpgradeRequests.Refusal refusal = UpgradeRequests.refusal(request);
        if (refusal != null) {
            request.release();
            return refuse(client, refusal, outcome);
        }
        FullHttpRequest towardsMist = UpgradeRequests.towardsMist(request, client, settings.extraHeaders());
        if (open.incrementAndGet() > settings.maxTunnels()) {
            open.decrementAndGet();
            towardsMist.release();
            return refuse(client, new UpgradeRequests.Refusal(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    Decision.TOO_MANY_TUNNELS, settings.maxTunnels() + " websocket tunnels are open already"), outcome);
        }
        outcome.addListener((Future<HandshakeOutcome> f) -> handshakes.add(f.getNow().decision()));
        new Tunnel(client, hold, settings, outcome, open::decrementAndGet).open(towardsMist);
        return outcome;
    }

    private static Future<HandshakeOutcome> refuse(Channel client, UpgradeRequests.Refusal refusal,
                                                   Promise<HandshakeOutcome> outcome) {
        FullHttpResponse rejection = UpgradeResponses.rejection(client.alloc(), refusal.status(), refusal.decision(),
                                                                refusal.detail());
        int bodyBytes = rejection.content().readableBytes();
        client.writeAndFlush(rejection).addListener(LingeringClose.AFTER_WRITE);
        return outcome.setSuccess(HandshakeOutcome.rejected(refusal.status(), refusal.decision(), bodyBytes));
    }
}
