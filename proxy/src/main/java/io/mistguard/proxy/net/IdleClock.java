package io.mistguard.proxy.net;

import io.mistguard.proxy.time.LoopTimer;
import io.mistguard.proxy.time.LoopTimers;
import io.netty.channel.ChannelHandlerContext;
import java.util.function.BooleanSupplier;

/**
 * The idle timeout of a request/response connection, kept by its last handler: the connection is
 * closed once it has been idle — not {@code busy}, and no activity — for the timeout. Client and
 * trigger connections (busy while answering), and upstream connections to Mist (busy while a call
 * is bound).
 *
 * <p>The clock is the time of the last activity, which the handler reports ({@link #touch}: the end
 * of each read and each answer written, or upstream the final response), and one {@link LoopTimers}
 * check per idle period that compares it with the loop's clock, as Netty's {@code IdleStateHandler}
 * keeps it — but without a handler of its own on the data path, a listener on every write and two
 * extra clock reads per request: the handler already sees each read end and each answer go out. A
 * connection busy at a check is checked again a whole timeout later.
 *
 * <p>Times are on the channel's event loop clock ({@code ticker()}), so tests that freeze and
 * advance an {@code EmbeddedChannel}'s time drive it. One instance per channel, used only from its
 * event loop; not thread-safe.
 */
public final class IdleClock {

    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private BooleanSupplier busy;
    private long lastActivityNanos;
    private LoopTimer check;

    /** @param timeoutNanos how long the connection may be idle, > 0 */
    public IdleClock(long timeoutNanos) {
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("timeoutNanos: " + timeoutNanos + " (expected: > 0)");
        }
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * Starts the clock, idle from now; call once, when the channel is active.
     *
     * @param busy whether the connection is doing something (answering, holding a request) right now
     */
    public void start(ChannelHandlerContext ctx, BooleanSupplier busy) {
        this.ctx = ctx;
        this.busy = busy;
        this.lastActivityNanos = now();
        arm(timeoutNanos);
    }

    /** Activity now: a read ended, or an answer was written. Does nothing before {@link #start}. */
    public void touch() {
        if (ctx != null) {
            lastActivityNanos = now();
        }
    }

    /** Stops the clock for good (the channel closed, or its handler left); idempotent. */
    public void stop() {
        if (check != null) {
            check.cancel();
            check = null;
        }
        ctx = null;
    }

    private void arm(long delayNanos) {
        check = LoopTimers.schedule(ctx.channel().eventLoop(), LoopTimers.Kind.CONNECTION_IDLE, this::onCheck,
                                    delayNanos);
    }

    private void onCheck() {
        check = null;
        if (ctx == null || !ctx.channel().isActive()) {
            return;
        }
        if (busy.getAsBoolean()) {
            arm(timeoutNanos); // not idle: the end of what keeps it busy will touch the clock
            return;
        }
        long idleFor = now() - lastActivityNanos;
        if (idleFor >= timeoutNanos) {
            ctx.close();
        } else {
            arm(timeoutNanos - idleFor);
        }
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }
}
