package io.mistguard.proxy.server;

import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.AnswerHeaders;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.exchange.InvalidRequest;
import io.mistguard.proxy.exchange.ProxyResponses;
import io.mistguard.proxy.exchange.SendableAnswers;
import io.mistguard.proxy.net.ContinueExpected;
import io.mistguard.proxy.net.IdleClock;
import io.mistguard.proxy.net.KeepAlive;
import io.mistguard.proxy.net.LingeringClose;
import io.mistguard.proxy.net.RequestTarget;
import io.mistguard.proxy.net.MemoryExhaustion;
import io.mistguard.proxy.net.OwedContinue;
import io.mistguard.proxy.exchange.SentBody;
import io.mistguard.proxy.classify.MistHeaders;
import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.classify.Trust;
import io.mistguard.proxy.server.tunnel.HandshakeOutcome;
import io.mistguard.proxy.server.tunnel.UpgradeTunnel;
import io.mistguard.proxy.upstream.PrivateConnection;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client connection: validates each aggregated request, classifies it, hands
 * it to the {@link Forwarder} and writes the answer back.
 *
 * <p>One request is handled at a time per connection, and answers leave in the order the requests
 * came. The channel auto-reads, so a caller that waits for each answer (every Mist client does)
 * costs no change of read interest per request. A request a caller pipelined while the previous one
 * is still being answered is held here, and the channel stops reading until every held request is
 * answered: back-pressure bounded by one read's worth of requests. Invalid requests get a precise
 * 400 / 414 / 431 and the connection is closed, since its framing can no longer be trusted; so do the
 * aggregator's refusals (413, 417), which reach this handler as invalid requests to be answered in
 * their turn, and the {@code 100 Continue} a request still being read asked for
 * ({@link ContinueExpected}) is written only once every request before it is answered.
 *
 * <p>Trust ({@link Trust}): whether the peer is in {@code trusted_peers} is decided once per
 * connection; each request is then either local-equivalent and stateless, and may share the pooled
 * upstream connections, or rides this connection's own {@link PrivateConnection}, opened for its
 * first such request and closed with it.
 *
 * <p>Half-close: a client that shuts down its sending side after its request (the channel allows
 * half-closure) gets its answer — and the answers to whatever it pipelined before — and then the
 * connection is closed; {@link ClientHalfClose} tells such a client from one that went away.
 *
 * <p>Idle timeout ({@code limits.client_idle_timeout}): a connection that has nothing to answer,
 * holds nothing, is not in the middle of a request ({@link RequestReadTimeout} times that) and read
 * nothing for that long is closed ({@link IdleClock}, which this handler
 * touches at the end of each read and each answer written). One instance per channel, used only from
 * its event loop.
 */
final class ProxyHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ProxyHandler.class);

    private final ProxyServices services;
    private final IdleClock idleClock;
    private boolean peerTrusted;
    private String peerAddress;
    private PrivateConnection privateConnection;
    private boolean inputShutdown;
    private Forwarder.Exchange exchange;
    /** From taking a request until its answer is written (or the connection is closing). */
    private boolean answering;
    /** Requests that arrived while {@link #answering}, oldest first; reading is off while any is held. */
    private final ArrayDeque<FullHttpRequest> held = new ArrayDeque<>(2);
    private final OwedContinue owedContinue = new OwedContinue();
    private boolean keepAlive;
    /** The answer that closes refuses the request: the caller may still be sending ({@link LingeringClose}). */
    private boolean lingerOnClose;
    private boolean headRequest;
    private boolean draining;
    private HttpMethod method;
    private String path;
    private long arrivedNanos;
    private HttpVersion requestVersion = HttpVersion.HTTP_1_1;
    /** This handler's context, from {@link #handlerAdded}. */
    private ChannelHandlerContext context;
    /** Made once per connection, not per request: a capturing lambda per answer and per write cost two allocations. */
    private final GenericFutureListener<Future<Answer>> answerListener = this::onAnswer;
    private final ChannelFutureListener writtenListener = this::onWritten;
    private final ChannelFutureListener settledListener = this::settled;
    /** A forwarded answer is being written: it counts as in flight until its write settles. */
    private boolean writingForwarded;
    /** mistguard closes this connection (after an answer, or on a failure to read): the caller did not leave. */
    private boolean closedByUs;
    /** The forwarded answer being written whose access-log line waits for its write to settle; null if none. */
    private Answer lineOwed;
    /** Its status, read before the write (the encoder releases the response). */
    private int lineStatus;
    /** How much of its body left ({@link SentBody}). */
    private final SentBody sentBody = new SentBody();
    /**
     * How deep {@link #onWritten} runs inline from {@link #write}: held requests answered at once (stored
     * replies) recurse through it, so past this depth the next goes through the promise's listener,
     * which Netty runs from a task once its own notifications are deep.
     */
    private static final int MAX_INLINE_ANSWERS = 8;
    private int inlineAnswers;

    /** @param idleTimeout {@code limits.client_idle_timeout}, > 0 */
    ProxyHandler(ProxyServices services, Duration idleTimeout) {
        this.services = services;
        this.idleClock = new IdleClock(idleTimeout.toNanos());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        RequestReadTimeout reads = ctx.pipeline().get(RequestReadTimeout.class);
        // A request partly in is the read timeouts' to end, with a 408: never closed as idle.
        idleClock.start(ctx, () -> answering || !held.isEmpty() || reads != null && reads.reading());
        services.channels().add(ctx.channel());
        InetAddress peer = inetAddress(ctx.channel().remoteAddress());
        peerTrusted = services.trustedPeers().contains(peer);
        peerAddress = peer != null ? peer.getHostAddress() : String.valueOf(ctx.channel().remoteAddress());
        ctx.fireChannelActive();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        idleClock.touch(); // any bytes count, a request or a part of one
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg == ContinueExpected.INSTANCE) {
            owedContinue.expected(ctx, answering);
            return;
        }
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        owedContinue.requestWhole();
        if (answering) {
            held.add(request);
            ctx.channel().config().setAutoRead(false); // back-pressure: nothing more until it is answered
            return;
        }
        handle(ctx, request);
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        answering = true;
        headRequest = request.method().equals(HttpMethod.HEAD); // its refusal, too, goes out head-only
        try {
            InvalidRequest invalid = InvalidRequest.of(request, true);
            if (invalid != null) {
                refuse(ctx, request, invalid);
                return;
            }
            RequestTarget.toOriginForm(request); // before anything reads the path or Host
            if (services.tunnel() != null && UpgradeTunnel.isMistWebSocket(request)) {
                tunnel(ctx, request);
                return;
            }
            keepAlive = KeepAlive.requested(request) && !draining;
            forward(ctx, request);
        } catch (RuntimeException e) {
            // A bug, not an input to answer: never leak the request or leave the caller hanging.
            if (exchange == null && request.refCnt() > 0) {
                ReferenceCountUtil.safeRelease(request, request.refCnt());
            }
            log.warn("[{}] closing client connection after an unexpected failure", ctx.channel().id(), e);
            closedByUs = true;
            ctx.close();
        }
    }

    private void forward(ChannelHandlerContext ctx, FullHttpRequest request) {
        // Decide on the request as Mist will get it: hop-by-hop fields, and any a caller names in
        // Connection (even X-Real-IP or Content-Type), are gone before trust and the command are read.
        HopByHopHeaders.strip(request.headers());
        MistRequest mistRequest = classify(request);
        if (mistRequest.unreadable() != null) {
            refuse(ctx, request, new InvalidRequest(HttpResponseStatus.BAD_REQUEST, Decision.BAD_COMMAND,
                                           mistRequest.unreadable()));
            return;
        }
        requestVersion = request.protocolVersion();
        method = request.method();
        path = AccessLog.path(request.uri());
        arrivedNanos = System.nanoTime();
        Trust trust = Trust.of(peerTrusted, request.headers(), mistRequest);
        if (trust == Trust.PRIVATE_MARKED_REMOTE) {
            request.headers().set(Trust.X_REAL_IP, peerAddress); // so that Mist treats it as remote
        }
        FullHttpRequest upstream = MessageFraming.towardsMist(request);
        services.inFlight().incrementAndGet();
        exchange = services.forwarder().forward(ctx.channel().eventLoop(), ctx.alloc(), upstream, mistRequest,
                                                trust == Trust.SHARED ? null : privateConnection(ctx));
        exchange.response().addListener(answerListener);
    }

    /**
     * Answers a request that must not be forwarded, and closes: what follows it cannot be trusted.
     * Releases {@code request}. Nothing is written or logged once the connection is closed: the
     * decoder makes an invalid request of a head cut short by the close (after a 408, say), which no
     * caller is there to be refused.
     */
    private void refuse(ChannelHandlerContext ctx, FullHttpRequest request, InvalidRequest invalid) {
        keepAlive = false;
        lingerOnClose = true; // the rest of a body over the limit, say, may still be on its way
        if (!ctx.channel().isActive()) {
            request.release();
            return;
        }
        Answer answer = ProxyResponses.rejection(ctx.alloc(), invalid.status(), invalid.decision(), invalid.detail());
        if (invalid.decision() == Decision.METHOD_NOT_ALLOWED) {
            answer.response().headers().set(HttpHeaderNames.ALLOW, InvalidRequest.ALLOW);
        }
        ChannelFutureListener line = services.refused(request, answer, 0); // decided on arrival
        request.release();
        write(ctx, answer, HttpVersion.HTTP_1_1).addListener(line);
    }

    /**
     * Hands the connection to the WebSocket tunnel for good (this handler leaves the pipeline). The
     * upgrade rides a connection of its own, under the same trust rules as any request: an untrusted
     * peer without a forwarding header is marked remote.
     */
    private void tunnel(ChannelHandlerContext ctx, FullHttpRequest request) {
        HttpMethod upgradeMethod = request.method();
        String upgradePath = AccessLog.path(request.uri());
        long started = System.nanoTime();
        services.tunnel().start(ctx, request).addListener((Future<HandshakeOutcome> f) -> {
            services.refusals().refused(f.getNow().decision()); // counted only if the tunnel refused it itself
            if (services.accessLog()) {
                AccessLog.logUpgrade(upgradeMethod, upgradePath, f.getNow(), System.nanoTime() - started);
            }
        });
    }

    /** The exchange of the request in hand ({@link #requestVersion}) answered. */
    private void onAnswer(Future<Answer> answered) {
        ChannelHandlerContext ctx = context;
        Answer answer = answered.getNow();
        exchange = null;
        if (!ctx.channel().isActive()) {
            services.inFlight().decrementAndGet();
            if (services.accessLog()) { // the caller left before its answer: nothing was sent
                AccessLog.log(method, path, answer, System.nanoTime() - arrivedNanos,
                              answer.response().status().code(), false, 0);
            }
            answer.response().release();
            return;
        }
        answer = SendableAnswers.of(ctx.alloc(), answer, !headRequest); // its body can be sent whole, or a 503
        if (services.accessLog()) {
            lineOwed = answer; // logged once its write settles (settled): sent whole, or cut short
        }
        // In flight until its write settles: a drain waits for a slow reader's answer, within the grace.
        writingForwarded = true;
        write(ctx, answer, requestVersion);
    }

    /**
     * Writes {@code answer}, its {@code Mistguard-*} fields set here, the one place they are, and
     * returns the write; a forwarded answer's access-log line ({@link #lineOwed}) is written once the
     * write settles.
     */
    private ChannelFuture write(ChannelHandlerContext ctx, Answer answer, HttpVersion clientVersion) {
        AnswerHeaders.write(answer);
        FullHttpResponse response = answer.response();
        MessageFraming.towardsCaller(response, headRequest);
        boolean stayOpen = keepAlive && !draining;
        if (!stayOpen) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (clientVersion.compareTo(HttpVersion.HTTP_1_1) < 0) { // 1.0 (or 0.9): keep-alive is not the default
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        if (lineOwed != null) {
            lineStatus = response.status().code();
            sentBody.watch(response, headRequest);
        }
        ChannelFuture written = ctx.writeAndFlush(response);
        if (!stayOpen) {
            closedByUs = true;
            if (writingForwarded) {
                written.addListener(settledListener);
            }
            written.addListener(lingerOnClose ? LingeringClose.AFTER_WRITE : ChannelFutureListener.CLOSE);
        } else if (written.isDone() && inlineAnswers < MAX_INLINE_ANSWERS) {
            // Written at once, the usual case: go on here rather than through the promise's listeners
            // (a listener costs a lock and a notification per answer).
            inlineAnswers++;
            try {
                onWritten(written);
            } finally {
                inlineAnswers--;
            }
        } else {
            written.addListener(writtenListener);
        }
        return written;
    }

    /** The answer of a connection that stays open was written, or could not be. */
    private void onWritten(ChannelFuture written) {
        boolean forwarded = writingForwarded;
        writingForwarded = false;
        logLine(written); // before the next request takes this one's fields
        if (written.isSuccess()) {
            answered(context); // may take up the next request, which counts as in flight from here
        } else {
            context.close();
        }
        if (forwarded) {
            // Only now: a drain polling the count from another thread must never see 0 between this
            // answer and the next request taken up.
            services.inFlight().decrementAndGet();
        }
    }

    /**
     * The write of a forwarded answer after which the connection closes settled: its line, and it is
     * no longer in flight.
     */
    private void settled(ChannelFuture written) {
        logLine(written);
        if (writingForwarded) {
            writingForwarded = false;
            services.inFlight().decrementAndGet();
        }
    }

    /**
     * The access-log line of the forwarded answer whose write settled, if one is owed: all of it sent,
     * or the caller gone before it was (status 499, the body's bytes the socket took: {@link AccessLog}).
     */
    private void logLine(ChannelFuture written) {
        Answer answer = lineOwed;
        if (answer == null) {
            return;
        }
        lineOwed = null;
        boolean sent = written.isSuccess();
        AccessLog.log(method, path, answer, System.nanoTime() - arrivedNanos, lineStatus, sent, sentBody.settle(sent));
    }

    /**
     * Classifies with the {@code Content-Type} Mist reads when a caller sends several: the last line
     * of the exact spelling, else of another spelling ({@link MistHeaders}).
     */
    private MistRequest classify(FullHttpRequest request) {
        return services.classifier().classify(request.method().name(), request.uri(),
                MistHeaders.get(request.headers(), "Content-Type"), request.content());
    }

    private PrivateConnection privateConnection(ChannelHandlerContext ctx) {
        if (privateConnection == null) {
            privateConnection = PrivateConnection.of(ctx.channel());
        }
        return privateConnection;
    }

    private static InetAddress inetAddress(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    /**
     * The answer of the current request is written: take the next held one, or read again. When held
     * requests are answered at once (stored replies), this runs again from within {@link #handle};
     * that recursion is bounded: {@link #MAX_INLINE_ANSWERS} levels run inline, and past them Netty's
     * promises (past a few listener levels they notify from a task).
     */
    private void answered(ChannelHandlerContext ctx) {
        answering = false;
        idleClock.touch();
        FullHttpRequest next = held.poll();
        if (next != null) {
            handle(ctx, next);
        } else if (inputShutdown) {
            ctx.close(); // the client sent all it will, and all of it is answered
        } else {
            owedContinue.turnCame(ctx); // the request still being read, if it asked for a 100
            if (!ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        idleClock.stop();
        Forwarder.Exchange current = exchange;
        if (current != null) {
            current.cancel(); // the caller left: free the upstream connection and whatever it holds
        }
        if (services.accessLog() && !closedByUs && !draining) {
            // The caller left with requests pipelined behind the one being answered: a line each, up
            // to one that asked to close (what follows it would never have been taken up). Were
            // mistguard closing (an answer that closes, a drain or its grace running out, a request
            // it could not read), none is owed.
            for (FullHttpRequest abandoned : held) {
                AccessLog.logAbandoned(abandoned);
                if (!KeepAlive.requested(abandoned)) {
                    break;
                }
            }
        }
        releaseHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        idleClock.stop(); // the connection became a tunnel, which keeps its own idle clock
        releaseHeld(); // the connection became a tunnel; what a caller pipelined after the upgrade goes
    }

    private void releaseHeld() {
        FullHttpRequest request;
        while ((request = held.poll()) != null) {
            request.release();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            owedContinue.inputEnded(); // a body cut short by the end of input yields no request to clear it
            // A head still arriving was refused by the decoder before this event; a body cut short
            // yields nothing, and the connection closes once the earlier requests are answered.
            if (!answering && held.isEmpty()) {
                ctx.close();
            } else if (exchange != null && ClientHalfClose.probes(requestVersion)) {
                // A closed client answers the probe with a reset: the connection closes and the
                // exchange is cancelled (channelInactive). A waiting one skips it. Only probe when
                // the answer is slow: the same exchange still pending after a moment.
                Forwarder.Exchange pending = exchange;
                ctx.executor().schedule(() -> {
                    if (exchange == pending && ctx.channel().isActive()) {
                        ClientHalfClose.probe(ctx);
                    }
                }, ClientHalfClose.PROBE_AFTER_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        } else if (evt == DrainEvent.INSTANCE) {
            draining = true;
            if (!answering && held.isEmpty()) {
                ctx.close();
            }
        }
        ReferenceCountUtil.release(evt);
    }

    /**
     * A failure of the connection's read or decoding: it is closed. When the failure is mistguard's
     * own lack of memory for a request still being read ({@link MemoryExhaustion}) and nothing is
     * being answered, the body read so far is dropped (which gives the memory back) and the caller
     * gets a 503 {@code rejected; reason=out-of-memory} instead of a silent close (what it sent was
     * not at fault); with an answer in progress the connection only closes, as answers must leave
     * in order.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (MemoryExhaustion.causedBy(cause)) {
            log.warn("[{}] no memory to read a request: {}", ctx.channel().id(), cause.toString());
            if (!answering && held.isEmpty() && ctx.channel().isActive()) {
                answering = true; // whatever the decoder still makes of this connection waits for the close
                keepAlive = false;
                lingerOnClose = true; // the rest of the body may still be on its way
                headRequest = false; // the encoder knows the method of the request being read, if any
                MemoryExhaustion.dropMessageBeingRead(ctx.pipeline()); // gives back what it took
                // On the heap (ProxyResponses): making it needs none of the memory that ran out.
                Answer answer = ProxyResponses.rejection(ctx.alloc(), HttpResponseStatus.SERVICE_UNAVAILABLE,
                        Decision.REQUEST_OUT_OF_MEMORY, "mistguard has no memory left to read this request: "
                        + cause.getMessage());
                ChannelFutureListener line = services.refused(null, answer, 0);
                write(ctx, answer, HttpVersion.HTTP_1_1).addListener(line);
                return;
            }
        } else {
            log.debug("[{}] closing client connection: {}", ctx.channel().id(), cause.toString());
        }
        // A socket's error (a reset) is the caller leaving; anything else (a request that cannot be
        // read) is mistguard closing.
        closedByUs |= !(cause instanceof IOException);
        ctx.close();
    }
}
