package io.mistguard.proxy.admin;

import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.InvalidRequest;
import io.mistguard.proxy.metrics.Metrics;
import io.mistguard.proxy.policy.Breaker;
import io.mistguard.proxy.policy.BreakerSnapshot;
import io.mistguard.proxy.metrics.RouteLatency;
import io.mistguard.proxy.policy.PolicyView;
import io.mistguard.proxy.policy.RouteStatsSnapshot;
import io.mistguard.proxy.net.KeepAlive;
import io.mistguard.proxy.net.LingeringClose;
import io.mistguard.proxy.net.RequestTarget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.CodecException;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the admin listener's requests: probes ({@code /healthz}, {@code /readyz}) and the status
 * page's files ({@code /}, {@code /assets/*}: {@link StatusPage}, no data in them) for anyone;
 * {@code /metrics} and {@code /admin/*} never for another site's page ({@link CrossOrigin}, 403), and
 * only with the bearer token when one is configured (401 otherwise) or, when none is, only when
 * addressed to {@code localhost} or an IP address (403 otherwise: DNS rebinding). Views are GET or HEAD; mutations
 * are POST only (405 with {@code Allow} otherwise). Every answer carries {@link SecurityHeaders}.
 * Last handler of the admin pipeline; shared, its per-connection state in channel attributes. Runs on
 * the acceptor loop: every view is read from snapshots without waiting, the page's files are in
 * memory, and a reload answers when its own thread is done.
 */
@Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private static final AttributeKey<Boolean> ANSWER_PENDING = AttributeKey.valueOf("mistguard.admin.pending");
    private static final AttributeKey<Boolean> INPUT_SHUT_DOWN = AttributeKey.valueOf("mistguard.admin.inputShutDown");
    /** The version of the request being answered ({@link RequestsInTurn} hands them on one at a time). */
    private static final AttributeKey<HttpVersion> CALLER_VERSION = AttributeKey.valueOf("mistguard.admin.callerVersion");

    private static final String GET = "GET, HEAD";
    private static final String POST = "POST";

    private final AdminBackend backend;
    private final AdminAuth auth;
    private final StatusPage page;
    private final RecentLatency recent = new RecentLatency();
    private final RefusalLine refusals = new RefusalLine(io.mistguard.proxy.time.Ticker.system());

    /** Reads the status page's files from the jar: build it off the event loop. */
    AdminHandler(AdminBackend backend, String token) {
        this.backend = backend;
        this.auth = new AdminAuth(token);
        this.page = StatusPage.load();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        ctx.channel().attr(CALLER_VERSION).set(request.protocolVersion());
        boolean keepAlive = KeepAlive.requested(request) && request.decoderResult().isSuccess();
        InvalidRequest invalid = InvalidRequest.of(request, true);
        if (invalid != null) {
            // What the proxy's port refuses, with its status and reason (it said only "bad request" of
            // a head it could not read, and took a body still gzip-coded under "gzip, chunked", a
            // fragment, a repeated Host). The aggregator's refusals (413, 417) come here too, in their
            // turn. Before anything reads Host (the DNS-rebinding rule): two lines would name two hosts.
            write(ctx, invalid.decision() == Decision.METHOD_NOT_ALLOWED ? AdminAnswer.methodNotAllowed(GET + ", " + POST)
                    : AdminAnswer.text(invalid.status(), invalid.detail() + "\n"), false, false);
            return;
        }
        RequestTarget.toOriginForm(request); // an absolute-form target is accepted (RFC 9112 §3.2.2); its authority is the Host
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path;
        try {
            path = uri.path();
            uri.parameters(); // decoded now: a bad escape in a query is the caller's error too, not a view's
        } catch (IllegalArgumentException malformed) {
            write(ctx, AdminAnswer.text(HttpResponseStatus.BAD_REQUEST,
                    "malformed request target: " + malformed.getMessage() + "\n"), keepAlive, false);
            return;
        }
        HttpMethod method = request.method();
        boolean head = method.equals(HttpMethod.HEAD);
        boolean get = method.equals(HttpMethod.GET) || head;
        if (path.equals("/healthz") || path.equals("/readyz")) {
            write(ctx, get ? probe(path) : AdminAnswer.methodNotAllowed(GET), keepAlive, head);
            return;
        }
        if (StatusPage.owns(path)) {
            // Before the origin and token checks: the page holds no data, and it is what asks for the token.
            StatusPage.Asset asset = page.asset(path);
            if (!get) {
                write(ctx, AdminAnswer.methodNotAllowed(GET), keepAlive, false);
            } else if (asset == null) {
                write(ctx, notFound(path), keepAlive, head);
            } else {
                send(ctx, HttpResponseStatus.OK, asset.contentType(), null, asset.body(), keepAlive, head);
            }
            return;
        }
        String crossOrigin = CrossOrigin.refusal(request);
        if (crossOrigin == null && !auth.required()) {
            crossOrigin = CrossOrigin.foreignHost(request);
        }
        if (crossOrigin != null) {
            refusals.refused(403, "cross-origin request refused: " + crossOrigin, client(ctx), method.name(), path);
            write(ctx, AdminAnswer.json(HttpResponseStatus.FORBIDDEN,
                    AdminViews.error("cross-origin request refused: " + crossOrigin)), keepAlive, head);
            return;
        }
        if (!auth.allows(request)) {
            refusals.refused(401, "missing or wrong Authorization: Bearer token", client(ctx), method.name(), path);
            write(ctx, new AdminAnswer(HttpResponseStatus.UNAUTHORIZED, AdminAnswer.JSON,
                    AdminViews.error("missing or wrong Authorization: Bearer token"), null), keepAlive, head);
            return;
        }
        if (path.equals("/admin/reload")) {
            if (!method.equals(HttpMethod.POST)) {
                write(ctx, AdminAnswer.methodNotAllowed(POST), keepAlive, head);
                return;
            }
            ctx.channel().attr(ANSWER_PENDING).set(Boolean.TRUE);
            backend.reload("POST /admin/reload").whenComplete((outcome, error) -> ctx.executor().execute(() ->
                    write(ctx, error != null ? AdminAnswer.json(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                                                                AdminViews.error(String.valueOf(error)))
                              : AdminAnswer.json(outcome.applied() ? HttpResponseStatus.OK
                                                 : HttpResponseStatus.UNPROCESSABLE_ENTITY, AdminViews.reload(outcome)),
                          keepAlive, false)));
            return;
        }
        if (path.startsWith(BreakerActions.PREFIX)) {
            write(ctx, method.equals(HttpMethod.POST) ? BreakerActions.act(this::breakerNamed, uri, client(ctx))
                    : AdminAnswer.methodNotAllowed(POST), keepAlive, head);
            return;
        }
        if (!isView(path)) {
            write(ctx, notFound(path), keepAlive, head);
        } else {
            write(ctx, get ? view(path) : AdminAnswer.methodNotAllowed(GET), keepAlive, head);
        }
    }

    private AdminAnswer probe(String path) {
        if (path.equals("/healthz")) {
            return AdminAnswer.text(HttpResponseStatus.OK, "ok\n");
        }
        return backend.ready() ? AdminAnswer.text(HttpResponseStatus.OK, "ready\n")
                : AdminAnswer.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready\n");
    }

    private static boolean isView(String path) {
        return switch (path) {
            case "/metrics", "/admin/routes", "/admin/breakers", "/admin/inflight", "/admin/invalidations" -> true;
            default -> false;
        };
    }

    /** The read-only views; {@code null} for an unknown path. */
    private AdminAnswer view(String path) {
        return switch (path) {
            case "/metrics" -> new AdminAnswer(HttpResponseStatus.OK, Metrics.CONTENT_TYPE, backend.scrape(), null);
            case "/admin/routes" -> AdminAnswer.ok(TriggerRoutesView.withTriggers(routes(), backend.triggers()));
            case "/admin/breakers" -> AdminAnswer.ok(AdminViews.breakers(breakers()));
            case "/admin/inflight" -> {
                long now = backend.nowNanos();
                yield AdminAnswer.ok(AdminViews.inflight(backend.inflight(), now));
            }
            case "/admin/invalidations" -> AdminAnswer.ok(AdminViews.invalidations(backend.invalidations()));
            default -> null;
        };
    }

    /**
     * The route table in force, each route with its {@code "stats"}: counters from the same policy
     * view as the table (so a reload between two reads cannot pair one table with another's counters)
     * and the last minute's latencies from its meters.
     */
    private String routes() {
        PolicyView policies = backend.policies();
        Map<String, RouteStatsSnapshot> stats = new HashMap<>();
        policies.routes().forEach(s -> stats.put(s.route(), s));
        recent.retain(stats.keySet());
        long now = backend.nowNanos();
        return AdminViews.routes(policies.config().routes(), backend.config().invalidations(), (json, route) -> {
            RouteStatsSnapshot s = stats.get(route.name());
            if (s != null) {
                RouteLatency latency = backend.latency(route.name());
                RouteStatsView.write(json, s, latency == null ? null : recent.observe(route.name(), latency, now));
            }
        });
    }

    /** The route table's breakers, then the trigger listener's {@code catalyst-api}, if it runs. */
    private List<BreakerSnapshot> breakers() {
        List<BreakerSnapshot> all = new ArrayList<>(backend.policies().breakers());
        Breaker triggers = backend.triggerBreaker();
        if (triggers != null) {
            all.add(triggers.snapshot());
        }
        return all;
    }

    /** A breaker an operator may force: the route table's, or the trigger listener's by its name. */
    private Breaker breakerNamed(String name) {
        Breaker route = backend.policies().breakerNamed(name);
        if (route != null) {
            return route;
        }
        Breaker triggers = backend.triggerBreaker();
        return triggers != null && triggers.name().equals(name) ? triggers : null;
    }

    private static AdminAnswer notFound(String path) {
        return AdminAnswer.json(HttpResponseStatus.NOT_FOUND, AdminViews.error("not found: " + path));
    }

    private static String client(ChannelHandlerContext ctx) {
        return String.valueOf(ctx.channel().remoteAddress());
    }

    /**
     * The connection closes, with nothing to answer. A caller that reset it (an I/O error), left in
     * the middle of a request (the aggregator's {@code PrematureChannelClosureException}) or sent
     * what the codec refuses (more than 128 unanswered requests among them) is logged at debug:
     * Netty's codec failures are all {@link CodecException}s. Anything else is a fault of the admin
     * listener and is logged as a warning with its stack.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || cause instanceof CodecException) {
            log.debug("closing admin connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("closing admin connection {} after an unexpected failure", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    /**
     * A client that shut down its sending side ({@code nc}, BusyBox {@code wget}) still gets the
     * answer it asked for; the connection closes after it, or at once when nothing is pending.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.channel().attr(INPUT_SHUT_DOWN).set(Boolean.TRUE);
            if (ctx.channel().attr(ANSWER_PENDING).get() == null) {
                ctx.close();
            }
        }
        ReferenceCountUtil.release(evt);
    }

    private static void write(ChannelHandlerContext ctx, AdminAnswer answer, boolean keepAliveAsked, boolean head) {
        send(ctx, answer.status(), answer.contentType(), answer.allow(),
             answer.body().getBytes(StandardCharsets.UTF_8), keepAliveAsked, head);
    }

    /**
     * Writes one answer; to a {@code HEAD}, the same header fields ({@code Content-Length} of the body
     * a {@code GET} gets) and no body. {@code body} is wrapped, not copied, and never written to.
     */
    private static void send(ChannelHandlerContext ctx, HttpResponseStatus status, String contentType, String allow,
                             byte[] body, boolean keepAliveAsked, boolean head) {
        ctx.channel().attr(ANSWER_PENDING).set(null);
        boolean keepAlive = keepAliveAsked && ctx.channel().attr(INPUT_SHUT_DOWN).get() == null;
        ByteBuf content = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        if (allow != null) {
            response.headers().set(HttpHeaderNames.ALLOW, allow);
        }
        SecurityHeaders.apply(response.headers());
        HttpUtil.setContentLength(response, body.length);
        HttpVersion callerVersion = ctx.channel().attr(CALLER_VERSION).get();
        KeepAlive.mark(response, keepAlive, callerVersion == null ? HttpVersion.HTTP_1_1 : callerVersion);
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            // a refused request's body may still be on its way: linger, or the close could reset the answer away
            ctx.writeAndFlush(response).addListener(LingeringClose.AFTER_WRITE);
        }
    }
}
