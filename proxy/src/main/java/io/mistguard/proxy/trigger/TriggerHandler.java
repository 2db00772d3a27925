package io.mistguard.proxy.trigger;

import io.mistguard.proxy.logging.AccessLine;
import io.mistguard.proxy.net.KeepAlive;
import io.mistguard.proxy.net.RequestTarget;
import io.mistguard.proxy.net.LingeringClose;
import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.AnswerHeaders;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.ProxyResponses;
import io.mistguard.proxy.exchange.InvalidRequest;
import io.mistguard.proxy.exchange.SendableAnswers;
import io.mistguard.proxy.net.MemoryExhaustion;
import io.mistguard.proxy.net.ContinueExpected;
import io.mistguard.proxy.net.OwedContinue;
import io.mistguard.proxy.exchange.SentBody;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of a trigger connection's pipeline ({@code codec → aggregator → trigger}): hands
 * each complete request from Mist to the {@link TriggerService} and writes its answer, with the
 * {@code Mistguard-*} fields, once — this listener's edge, as {@code server/} is the API port's — and
 * one access-log line per answer ({@link TriggerAccessLog}).
 *
 * <p>Requests are answered one at a time and in order; one that arrives while another is being
 * answered waits its turn. When Mist closes the connection (its own 5 s attempt ran out), the trigger
 * being answered is cancelled: its call to catalyst-api closed, its slot and permit freed. What
 * the proxy's port refuses is refused here too, with the same status ({@link InvalidRequest}; not
 * for its {@code Host} field, as the README's trigger section explains): a
 * malformed request or one that cannot be handed on as it means gets 400 ({@code CONNECT} and
 * {@code TRACE} 405, another major HTTP version 505), a request line over the limit 414, a header block over the limit
 * 431, a body over {@code triggers.max_request_bytes} 413 (a blocking trigger's: 200 and its
 * fallback, {@link TriggerService#tooLargeToRead}) and an expectation other than
 * {@code 100-continue} 417 (the last two from {@link io.mistguard.proxy.net.RequestAggregator}, in
 * the request's turn), and the connection is closed: its framing can no longer be trusted. A
 * {@code 100 Continue} is written in its request's turn too ({@link ContinueExpected}).
 *
 * <p><b>Loops.</b> Every request forwarded gets this listener's {@link TriggerService#via() id}
 * appended to {@code Mistguard-Via}; one that arrives already naming it, or after more than
 * {@link #MAX_HOPS} hops, came back around a loop ({@code triggers.upstream} leading back here
 * through another hop, which {@code check-config} cannot see) and is answered {@code 508} with
 * {@code rejected; reason=loop-detected} instead of being forwarded again. The hop that sent it
 * takes the 508 as catalyst-api failing: one fallback, and the breaker opens, instead of a storm.
 *
 * <p>A keep-alive connection from Mist with nothing to answer and nothing read for the idle timeout
 * is closed by the pipeline's {@code RequestArrivalTimeout} ({@code TriggerServer}).
 *
 * <p>One instance per connection; runs on that connection's event loop only, so fields need no
 * synchronisation.
 */
final class TriggerHandler extends ChannelInboundHandlerAdapter {

    /** The trigger name header Mist sends (mist-api.md §5). */
    static final AsciiString X_TRIGGER = AsciiString.cached("X-Trigger");
    /** The hop header: the ids of the trigger listeners a request went through. */
    static final AsciiString VIA = AsciiString.cached("Mistguard-Via");
    /** More mistguard hops than this is a loop whatever the ids (a restarted instance has a new id). */
    static final int MAX_HOPS = 4;

    private static final Logger log = LoggerFactory.getLogger(TriggerHandler.class);

    private final TriggerService service;
    private final boolean accessLog;
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
    private TriggerService.Exchange current;
    private final OwedContinue owedContinue = new OwedContinue();
    /** An answer that closes the connection was written: what arrives after it is dropped. */
    private boolean closing;
    /** The answer that closes refuses the request: Mist may still be sending ({@code LingeringClose}). */
    private boolean lingerOnClose;
    /** The version of the request being answered (answers go one at a time, in order). */
    private HttpVersion callerVersion = HttpVersion.HTTP_1_1;

    TriggerHandler(TriggerService service, boolean accessLog) {
        this.service = service;
        this.accessLog = accessLog;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing || !ctx.channel().isActive()) {
            // after an answer that closes, or what the codec makes of a partial request once the
            // connection is gone (a 408 closed it): nothing more is answered, counted or logged
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg == ContinueExpected.INSTANCE) {
            owedContinue.expected(ctx, current != null);
            return;
        }
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        owedContinue.requestWhole();
        if (current != null) {
            waiting.add(request);
            return;
        }
        handle(ctx, request);
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        callerVersion = request.protocolVersion();
        long arrived = ctx.channel().eventLoop().ticker().nanoTime();
        String trigger = request.headers().get(X_TRIGGER);
        String tag = service.tag(trigger);
        String method = request.method().name();
        String uri = request.uri();
        InvalidRequest invalid = InvalidRequest.of(request, false);
        if (invalid != null) { // as on the proxy listener: never forwarded to catalyst-api
            request.release();
            // A blocking trigger too large to read: 200 and its fallback, since Mist turns any
            // non-200 into its own default, true (TriggerService#tooLargeToRead).
            Answer unread = invalid.decision() == Decision.BODY_TOO_LARGE
                    ? service.tooLargeToRead(ctx.alloc(), trigger) : null;
            Answer refusal = unread != null ? unread : ProxyResponses.rejection(ctx.alloc(), invalid.status(),
                    invalid.decision(), invalid.detail()).onRoute(tag);
            if (invalid.decision() == Decision.METHOD_NOT_ALLOWED) {
                refusal.response().headers().set(HttpHeaderNames.ALLOW, InvalidRequest.ALLOW);
            }
            refuse(ctx, refusal, method, uri, arrived);
            return;
        }
        if (looped(request)) {
            request.release();
            Answer loop = ProxyResponses.rejection(ctx.alloc(), HttpResponseStatus.valueOf(508),
                    Decision.LOOP_DETECTED, "this trigger already passed this mistguard: triggers.upstream leads "
                                            + "back to the trigger listener").onRoute(tag);
            refuse(ctx, loop, method, uri, arrived);
            return;
        }
        boolean keepAlive = KeepAlive.requested(request);
        RequestTarget.toOriginForm(request); // an absolute-form target: its authority is the Host (RFC 9112 §3.2.2)
        TriggerAnswers.stripHopByHop(request.headers());
        request.headers().add(VIA, service.via());
        if (!request.headers().contains(HttpHeaderNames.HOST)) {
            // Sent on as HTTP/1.1, which must carry Host (RFC 9112 §3.2): empty, as for a target
            // without an authority, which catalyst-api's Go server accepts.
            request.headers().set(HttpHeaderNames.HOST, "");
        }
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        TriggerService.Exchange exchange = service.answer(ctx.channel().eventLoop(), ctx.alloc(), request, trigger);
        current = exchange;
        exchange.response().addListener((Future<Answer> f) -> {
            if (current == exchange) {
                current = null;
            }
            write(ctx, f.getNow(), keepAlive, method, uri, arrived);
        });
    }

    /**
     * Sends the listener's own refusal and closes; counted in {@code mistguard_trigger_decisions_total}
     * like an answer of the service (which counts its own).
     */
    private void refuse(ChannelHandlerContext ctx, Answer refusal, String method, String uri, long arrived) {
        lingerOnClose = true; // the rest of a body over the limit, say, may still be on its way
        service.observer().answered(refusal.route(), refusal.decision(), refusal.staleCause(),
                                    ctx.channel().eventLoop().ticker().nanoTime() - arrived);
        write(ctx, refusal, false, method, uri, arrived);
    }

    /** Whether {@code request} came around a loop: it names this listener, or too many hops. */
    private boolean looped(FullHttpRequest request) {
        int hops = 0;
        for (String value : request.headers().getAll(VIA)) {
            for (String id : value.split(",")) {
                String trimmed = id.trim();
                if (trimmed.isEmpty()) {
                    continue;
                }
                if (trimmed.equals(service.via()) || ++hops > MAX_HOPS) {
                    return true;
                }
            }
        }
        return false;
    }

    private void write(ChannelHandlerContext ctx, Answer answer, boolean keepAlive, String method, String uri,
                       long arrived) {
        if (ctx.channel().isActive()) { // a stored last-known answer is on the heap: sent whole, or a 503
            answer = SendableAnswers.of(ctx.alloc(), answer, !HttpMethod.HEAD.name().equals(method));
        }
        FullHttpResponse response = answer.response();
        if (!ctx.channel().isActive()) {
            if (accessLog) { // nothing will be sent: 499, no bytes (AccessLine)
                logLine(ctx, answer, AccessLine.CALLER_GONE_STATUS, 0, method, uri, arrived);
            }
            response.release();
            return;
        }
        AnswerHeaders.write(answer);
        KeepAlive.mark(response, keepAlive, callerVersion);
        ChannelFutureListener line = accessLog ? lineOnceSent(ctx, answer, method, uri, arrived) : null;
        ChannelFuture written = ctx.writeAndFlush(response);
        if (line != null) {
            written.addListener(line);
        }
        if (!keepAlive) {
            closing = true;
            written.addListener(lingerOnClose ? LingeringClose.AFTER_WRITE : ChannelFutureListener.CLOSE);
            return;
        }
        FullHttpRequest next = waiting.poll();
        if (next != null) {
            handle(ctx, next);
        } else {
            owedContinue.turnCame(ctx);
        }
    }

    /**
     * The access-log line of {@code answer}, written once its write settles: its status and body when
     * sent whole, else 499 and the body's bytes the socket took ({@link SentBody}). Call right before
     * the write: the status is read here.
     */
    private static ChannelFutureListener lineOnceSent(ChannelHandlerContext ctx, Answer answer, String method,
                                                      String uri, long arrived) {
        int status = answer.response().status().code();
        SentBody body = new SentBody();
        body.watch(answer.response(), HttpMethod.HEAD.name().equals(method));
        return written -> {
            boolean sent = written.isSuccess();
            logLine(ctx, answer, AccessLine.status(status, sent), body.settle(sent), method, uri, arrived);
        };
    }

    private static void logLine(ChannelHandlerContext ctx, Answer answer, int status, long bytes, String method,
                                String uri, long arrived) {
        TriggerAccessLog.log(answer.route() == null ? TriggerService.OTHER : answer.route(), answer.decision(),
                             answer.staleCause(), status, bytes, answer.attempts(),
                             ctx.channel().eventLoop().ticker().nanoTime() - arrived, answer.upstreamNanos(), method, uri);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelCurrent(); // its line first, then those pipelined behind it, in the order they came
        if (accessLog && !closing) {
            // Mist left with triggers pipelined behind the one being answered: a line each, as on
            // the proxy listener (after an answer that closes they would never have been taken up).
            for (FullHttpRequest abandoned : waiting) {
                TriggerAccessLog.log(service.tag(abandoned.headers().get(X_TRIGGER)), Decision.CANCELLED, null,
                                     AccessLine.CALLER_GONE_STATUS, 0, 0, 0, 0, abandoned.method().name(),
                                     abandoned.uri());
                if (!KeepAlive.requested(abandoned)) {
                    break; // what follows one that asked to close would never have been taken up
                }
            }
        }
        release();
        ctx.fireChannelInactive();
    }

    /** Removed when the connection lingers after a refusal ({@code LingeringClose}): frees what it held. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    /** Cancels the trigger being answered and frees those waiting; idempotent. */
    private void release() {
        cancelCurrent();
        waiting.forEach(FullHttpRequest::release);
        waiting.clear();
    }

    /** Cancels the trigger being answered, if any; idempotent. */
    private void cancelCurrent() {
        TriggerService.Exchange gone = current;
        current = null;
        if (gone != null) {
            gone.cancel().run();
        }
    }

    /**
     * A failure of the connection's read or decoding (a reset from Mist, say): it is closed, and
     * {@link #channelInactive} frees what it held. When the failure is mistguard's own lack of
     * memory for a request still being read ({@link MemoryExhaustion}) and nothing is being
     * answered, Mist first gets a 503 {@code rejected; reason=out-of-memory}, counted and logged as
     * the listener's refusals are.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (MemoryExhaustion.causedBy(cause)) {
            log.warn("[{}] no memory to read a trigger: {}", ctx.channel().id(), cause.toString());
            if (current == null && waiting.isEmpty() && !closing && ctx.channel().isActive()) {
                MemoryExhaustion.dropMessageBeingRead(ctx.pipeline()); // gives back what it took
                // On the heap (ProxyResponses): making it needs none of the memory that ran out.
                Answer refusal = ProxyResponses.rejection(ctx.alloc(), HttpResponseStatus.SERVICE_UNAVAILABLE,
                        Decision.REQUEST_OUT_OF_MEMORY, "mistguard has no memory left to read this trigger: "
                        + cause.getMessage()).onRoute(TriggerService.OTHER);
                refuse(ctx, refusal, null, null, ctx.channel().eventLoop().ticker().nanoTime());
                return;
            }
        }
        ctx.close();
    }
}
