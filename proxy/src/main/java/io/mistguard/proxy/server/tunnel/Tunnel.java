package io.mistguard.proxy.server.tunnel;

import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.SentBody;
import io.mistguard.proxy.net.TransferCodings;
import io.mistguard.proxy.upstream.UpstreamFailure;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upgrade, from the connect to Mist until both connections are closed.
 *
 * <p>It opens a dedicated connection to Mist (never pooled, never reused), writes the upgrade request,
 * and waits for the complete answer for at most the handshake timeout, counted from the request being
 * written. Then exactly one of these settles it:
 * <ul>
 *   <li>Mist answers 101: the 101 goes to the caller as it came and both pipelines become a byte
 *       relay ({@link TunnelPipelines}, {@link Relay});</li>
 *   <li>Mist answers anything else: that answer goes to the caller with {@code Connection: close},
 *       and both connections close;</li>
 *   <li>the connect fails, Mist closes, sends garbage or is too slow: mistguard's 502/504
 *       ({@link UpstreamFailure} decides status and reason) and both connections close;</li>
 *   <li>the caller leaves: the connection to Mist is closed at once.</li>
 * </ul>
 * Once one side is closed, the other gets at most one idle timeout to flush what it was sent, so no
 * half-dead tunnel lingers. {@code onEnd} runs once, when both connections are closed.
 *
 * <p>The upstream channel is registered on the caller's event loop, so every method runs on that one
 * thread and no field needs synchronisation.
 */
final class Tunnel {

    private static final Logger log = LoggerFactory.getLogger(Tunnel.class);

    private final Channel client;
    /** The caller's bytes (and FIN) until the answer; see {@link EarlyDataHold}. */
    private final EarlyDataHold hold;
    private final TunnelSettings settings;
    private final Promise<HandshakeOutcome> outcome;
    private final Runnable onEnd;
    private Channel upstream;
    private ScheduledFuture<?> handshakeTimer;
    private ScheduledFuture<?> lingerTimer;
    private boolean requestSent;
    private boolean settled;
    private boolean clientClosed;
    private boolean upstreamClosed;
    private boolean ended;

    Tunnel(Channel client, EarlyDataHold hold, TunnelSettings settings, Promise<HandshakeOutcome> outcome,
           Runnable onEnd) {
        this.client = client;
        this.hold = hold;
        this.settings = settings;
        this.outcome = outcome;
        this.onEnd = onEnd;
    }

    /** Connects to Mist and sends {@code request} (owned from here on). */
    void open(FullHttpRequest request) {
        ChannelFuture connect = new Bootstrap()
                .group(client.eventLoop())
                .channel(settings.transport().socketChannelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .option(ChannelOption.AUTO_READ, false)
                .handler(TunnelPipelines.upstreamInitializer(this, settings.maxResponseBytes()))
                .connect(settings.host(), settings.port());
        upstream = connect.channel();
        upstream.closeFuture().addListener(f -> upstreamClosed());
        connect.addListener((ChannelFuture f) -> connected(f, request));
        client.closeFuture().addListener(f -> clientClosed());
        client.read(); // see EarlyDataHold: a caller hanging up is noticed only while a read is pending
    }

    private void connected(ChannelFuture connect, FullHttpRequest request) {
        if (!connect.isSuccess()) {
            request.release();
            // A channel that could not even be created never reports closing; none is open now.
            upstreamClosed();
            Throwable cause = connect.cause();
            fail(UpstreamFailure.ofConnect(cause), String.valueOf(cause.getMessage()));
            return;
        }
        if (settled) {
            request.release(); // the caller left while connecting
            return;
        }
        upstream.writeAndFlush(request).addListener((ChannelFuture f) -> requestWritten(f));
    }

    private void requestWritten(ChannelFuture write) {
        if (!write.isSuccess()) {
            fail(UpstreamFailure.unlessOutOfMemory(write.cause(), UpstreamFailure.RESET),
                 "could not send the upgrade request: " + write.cause().getMessage());
            return;
        }
        if (settled) {
            return;
        }
        requestSent = true;
        long timeout = settings.handshakeTimeout().toNanos();
        handshakeTimer = client.eventLoop().schedule(() -> fail(UpstreamFailure.TIMEOUT,
                "no answer to the upgrade within " + TimeUnit.NANOSECONDS.toMillis(timeout) + " ms"),
                timeout, TimeUnit.NANOSECONDS);
        upstream.read();
    }

    /** Whether Mist's answer is still expected, so the upstream channel should read on. */
    boolean awaitingAnswer() {
        return requestSent && !settled;
    }

    /** Mist's complete answer (owned from here on). */
    void onAnswer(FullHttpResponse response) {
        if (settled) {
            response.release();
            return;
        }
        if (response.decoderResult().isFailure()) {
            Throwable cause = response.decoderResult().cause();
            response.release();
            fail(UpstreamFailure.unlessOutOfMemory(cause, UpstreamFailure.BAD_RESPONSE), String.valueOf(cause.getMessage()));
            return;
        }
        HttpResponseStatus status = response.status();
        if (status.code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            establish(response);
            return;
        }
        if (status.codeClass() == HttpStatusClass.INFORMATIONAL) {
            response.release(); // an interim answer (100, 102, 103): the final one is still to come
            return;
        }
        String codings = TransferCodings.leftOver(response);
        if (codings != null) {
            response.release();
            fail(UpstreamFailure.BAD_RESPONSE, "unsupported Transfer-Encoding: " + codings);
            return;
        }
        settle();
        log.debug("[{}] Mist declined the upgrade: {}", client.id(), status);
        int bodyBytes = response.content().readableBytes();
        answerOnceSent(UpgradeResponses.declined(response), HandshakeOutcome.proxied(status, bodyBytes));
        upstream.close();
    }

    private void establish(FullHttpResponse response) {
        settle();
        Relay towardsMist = new Relay(upstream);
        Relay towardsCaller = new Relay(client);
        // Order matters (TunnelPipelines): encoders out before raw bytes can meet them, and each relay in
        // before the handler whose leftovers flow into it goes.
        TunnelPipelines.removeUpstreamEncoder(upstream.pipeline());
        client.write(UpgradeResponses.switching(response)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        TunnelPipelines.establishClient(client.pipeline(), towardsMist, settings.idleTimeout());
        TunnelPipelines.establishUpstream(upstream.pipeline(), towardsCaller);
        client.flush();
        log.debug("[{}] tunnel to Mist established ({})", client.id(), upstream.id());
        outcome.trySuccess(HandshakeOutcome.proxied(HttpResponseStatus.SWITCHING_PROTOCOLS, 0));
        towardsMist.start();
        towardsCaller.start();
        if (hold.inputShutdown()) {
            finReachesMist();
        }
    }

    /**
     * The caller shut down its sending side before the 101: Mist gets that FIN, after whatever the
     * caller sent before it, as it would have directly. Mist then closes, and the caller gets what Mist
     * sent before closing (its relay flushes it, then closes the caller's connection too).
     */
    private void finReachesMist() {
        log.debug("[{}] passing the caller's FIN on to Mist ({})", client.id(), upstream.id());
        upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFuture flushed) -> {
            if (flushed.isSuccess() && upstream instanceof DuplexChannel duplex && duplex.isActive()) {
                duplex.shutdownOutput();
            }
        });
    }

    /** Answers the caller with mistguard's own status for {@code failure} and closes both sides. */
    void fail(UpstreamFailure failure, String detail) {
        if (settled) {
            return;
        }
        settle();
        log.debug("[{}] upgrade failed: {}: {}", client.id(), failure.reason(), detail);
        FullHttpResponse rejection = UpgradeResponses.rejection(client.alloc(), failure.status(), Decision.of(failure),
                                                                detail);
        int bodyBytes = rejection.content().readableBytes();
        // A plain close, not LingeringClose: the tunnel's websocket.max_open slot is held until the
        // client's connection closes, and the upgrade request, which has no body, is whole already.
        answerOnceSent(rejection, HandshakeOutcome.rejected(failure.status(), Decision.of(failure), bodyBytes));
        if (upstream.isOpen()) {
            upstream.close();
        }
    }

    /**
     * Writes the caller's final answer to the upgrade (Mist's decline or mistguard's refusal), then
     * closes; the outcome is {@code sent} once the write has gone out whole, else the caller was gone
     * before it had: {@code cancelled}, with the body's bytes the socket took ({@link SentBody}).
     */
    private void answerOnceSent(FullHttpResponse answer, HandshakeOutcome sent) {
        SentBody body = new SentBody();
        body.watch(answer, false); // its bytes as the log counts them; a HEAD's body is left out there
        client.writeAndFlush(answer).addListener((ChannelFuture written) -> {
            boolean whole = written.isSuccess();
            long taken = body.settle(whole);
            outcome.trySuccess(whole ? sent : HandshakeOutcome.rejected(UpstreamFailure.CANCELLED.status(),
                    Decision.CANCELLED, (int) Math.min(Integer.MAX_VALUE, taken)));
        }).addListener(ChannelFutureListener.CLOSE);
    }

    private void settle() {
        settled = true;
        hold.answering();
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
    }

    private void clientClosed() {
        clientClosed = true;
        if (!settled) {
            settle();
            log.debug("[{}] caller left during the upgrade; closing {}", client.id(), upstream.id());
            upstream.close(); // at once: nobody waits for Mist's answer any more
            outcome.trySuccess(HandshakeOutcome.rejected(UpstreamFailure.CANCELLED.status(), Decision.CANCELLED, 0));
        }
        lingerAtMost(upstream, upstreamClosed);
        maybeEnd();
    }

    private void upstreamClosed() {
        if (upstreamClosed) {
            return;
        }
        upstreamClosed = true;
        lingerAtMost(client, clientClosed);
        maybeEnd();
    }

    /** The side left open gets one idle timeout to flush what it was sent (the relay closes it then). */
    private void lingerAtMost(Channel open, boolean alreadyClosed) {
        if (lingerTimer != null) {
            lingerTimer.cancel(false);
            lingerTimer = null;
        }
        if (!alreadyClosed) {
            lingerTimer = client.eventLoop().schedule(() -> open.close(), settings.idleTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    private void maybeEnd() {
        if (clientClosed && upstreamClosed && !ended) {
            ended = true;
            onEnd.run();
        }
    }
}
