package io.mistguard.proxy.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a listening socket: tells the operator, briefly, that the listener cannot
 * accept connections. When {@code accept} fails (out of file descriptors: "Too many open files"),
 * Netty's acceptor stops accepting for a second and passes the failure on; past it, the failure
 * reached the pipeline's tail, which logged a WARN with a whole stack trace every second for as long
 * as it lasted, and said nothing of the cause's remedy. Here: the first failure of a spell at once,
 * then at most one WARN line every {@link #REPORT_EVERY_SECONDS} s, counting the failures in between,
 * and for a lack of descriptors what to raise ({@code limits.max_connections} against
 * {@code ulimit -n}, which mistguard also checks at start).
 *
 * <p>Every failure is also counted ({@link #count}), exposed as
 * {@code mistguard_accept_failures_total{listener}}: a log line says a spell began, the counter says
 * how long it lasted, and an alert can fire on it.
 *
 * <p>Time comes from the listener's event loop's ticker (a test moves it). One instance per
 * listening channel, used only from its event loop, but for {@link #count}, which any thread may read.
 */
public final class AcceptFailures extends ChannelInboundHandlerAdapter {

    /** The most often a spell of failures is reported, in seconds. */
    public static final long REPORT_EVERY_SECONDS = 10;

    private static final Logger log = LoggerFactory.getLogger(AcceptFailures.class);
    private static final long REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(REPORT_EVERY_SECONDS);

    private final String listener;
    /** Every failure since the listener was bound; read at scrape time. */
    private final LongAdder failures = new LongAdder();
    private long unreported;
    private long lastReportNanos;
    private boolean reportedOnce;

    /** @param listener the listener's name in the log line ({@code proxy}, {@code trigger}, {@code admin}) */
    AcceptFailures(String listener) {
        this.listener = listener;
    }

    /**
     * Adds one at the end of {@code serverChannel}'s pipeline, after Netty's acceptor (which is in
     * place once the channel is bound). Call after the bind has completed.
     */
    public static void install(Channel serverChannel, String listener) {
        serverChannel.pipeline().addLast("accept-failures", new AcceptFailures(listener));
    }

    /**
     * Failures to accept a connection on {@code serverChannel} since it was bound: 0 when it has no
     * {@code AcceptFailures} (none was installed). Thread-safe.
     */
    public static long count(Channel serverChannel) {
        AcceptFailures failures = serverChannel.pipeline().get(AcceptFailures.class);
        return failures == null ? 0 : failures.failures.sum();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failures.increment();
        unreported++;
        long now = ctx.channel().eventLoop().ticker().nanoTime();
        if (reportedOnce && now - lastReportNanos < REPORT_EVERY_NANOS) {
            return;
        }
        String since = reportedOnce ? " in the last " + TimeUnit.NANOSECONDS.toSeconds(now - lastReportNanos) + " s"
                                    : "";
        log.warn("{} listener: accepting a connection failed {} time(s){}, last: {}; it tries again every second, "
                 + "while callers wait in the listen backlog{}", listener, unreported, since, cause.getMessage(),
                 outOfDescriptors(cause) ? ". The process is out of file descriptors: raise ulimit -n (its hard "
                 + "limit) or lower limits.max_connections (mistguard warns at start when they do not fit)" : "");
        unreported = 0;
        lastReportNanos = now;
        reportedOnce = true;
    }

    private static boolean outOfDescriptors(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        return message.contains("Too many open files") || message.contains("(-24)") || message.contains("(-23)");
    }
}
