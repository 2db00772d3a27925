package io.mistguard.sim.api;

import io.mistguard.sim.fault.FaultAction;
import io.mistguard.sim.fault.FaultRule;
import io.mistguard.sim.record.Recording;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Last handler of the API pipeline: records each request, picks its fault, and either answers on the
 * event loop (Prometheus, HTML page, injected status), upgrades {@code /ws} to a WebSocket
 * ({@link WebSocketUpgrade}), or hands the command to the {@link CommandLock} and writes the result
 * when it comes back. Like Mist, it ignores a client's {@code Connection: close}
 * (HTTP/1.0 included) and never closes an idle connection; only the web UI page, the fork's last
 * failed login and faults close one. Once a reply is written it tells the {@link RequestGate} in
 * front of it, which then may serve the connection's next request. Runs on the channel's event loop
 * and never blocks it; the request buffer is released by {@link SimpleChannelInboundHandler} after
 * it is decoded.
 */
final class ApiRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    /** Catalyst's fork sleeps this long before every unauthorised reply. */
    static final Duration UNAUTHORISED_SLEEP = Duration.ofSeconds(1);

    private final SimContext sim;
    private final RequestGate gate;

    ApiRequestHandler(SimContext sim, RequestGate gate) {
        this.sim = sim;
        this.gate = gate;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        MistRequest r = MistRequestParser.parse(request);
        Channel ch = ctx.channel();
        FaultRule fault = sim.faults().match(r);
        FaultAction action = fault == null ? FaultAction.NONE : fault.action();
        if (action == FaultAction.HANG_HOLDING_LOCK) {
            // Take the lock before the request becomes visible in the recording, so a test that waits
            // for the recording knows the lock is already queued for.
            CompletableFuture<Void> closed = new CompletableFuture<>();
            ch.closeFuture().addListener(f -> closed.complete(null));
            sim.lock().holdUntil(CompletableFuture.anyOf(closed, sim.faults().clearedSignal()));
        }
        // Likewise a command queues for the lock (a delay holding it) before it is recorded, so whatever
        // a test sends after seeing it recorded queues behind it.
        CompletableFuture<CommandReply> command = null;
        if (runsCommand(r, action)) {
            Duration delay = action == FaultAction.DELAY ? fault.pickDelay() : Duration.ZERO;
            ConnectionAuth auth = ch.attr(Connections.AUTH).get();
            command = sim.lock().submit(delay, () -> sim.executor().execute(r, auth));
        }
        Recording.InFlight inFlight = sim.recording().begin(ch.id().asShortText(), r);
        Connections.track(ch, inFlight);
        Runnable answered = () -> {
            Connections.done(ch, inFlight);
            gate.answered();
        };
        ResponseWriter writer = new ResponseWriter(ctx, inFlight::end, answered);
        if (command != null) {
            command.whenComplete((reply, error) ->
                    ctx.executor().execute(() -> answer(ctx, writer, reply, error, fault, inFlight)));
            return;
        }
        switch (action) {
            case HANG, HANG_HOLDING_LOCK -> {
                return;
            }
            case CLOSE_WITHOUT_RESPONSE -> {
                Connections.closeByUs(ch);
                return;
            }
            case STATUS -> {
                writer.write(Reply.status(HttpResponseStatus.valueOf(fault.amount())), null);
                return;
            }
            default -> {
            }
        }
        if (prometheus(r)) {
            Reply reply = Prometheus.reply(r, sim.state());
            later(ctx, action == FaultAction.DELAY ? fault.pickDelay() : Duration.ZERO, () -> writer.write(reply, fault));
            return;
        }
        if (WebSocketUpgrade.requested(r)) {
            WebSocketUpgrade.accept(ctx, request, r, sim, answered);
            return;
        }
        // Neither Prometheus, a command nor a WebSocket: Mist's web UI.
        writer.write(Reply.webUi(), fault);
    }

    /** True when Mist would run this request as API commands under its lock (and the fault lets it). */
    private boolean runsCommand(MistRequest r, FaultAction action) {
        return switch (action) {
            case HANG, HANG_HOLDING_LOCK, CLOSE_WITHOUT_RESPONSE, STATUS -> false;
            default -> !prometheus(r) && (r.command() != null || r.apiPath());
        };
    }

    private boolean prometheus(MistRequest r) {
        return Prometheus.matches(r.path(), sim.state().passphrase());
    }

    private void answer(ChannelHandlerContext ctx, ResponseWriter writer, CommandReply reply, Throwable error,
                        FaultRule fault, Recording.InFlight inFlight) {
        if (error != null) {
            // Only when sim-mist is shutting down: the command thread is gone.
            Connections.done(ctx.channel(), inFlight);
            Connections.closeByUs(ctx.channel());
            return;
        }
        if (reply.forbidden()) {
            writer.raw(Forbidden.bytes(reply.wwwAuthenticate()));
            return;
        }
        Reply out = reply.closeAfter() ? Reply.mist(reply.body()).closing() : Reply.mist(reply.body());
        if (reply.pause()) {
            later(ctx, UNAUTHORISED_SLEEP, () -> writer.write(out, fault));
        } else {
            writer.write(out, fault);
        }
    }

    private static void later(ChannelHandlerContext ctx, Duration delay, Runnable task) {
        if (delay.isZero()) {
            task.run();
        } else {
            ctx.executor().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }
}
