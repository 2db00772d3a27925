package io.mistguard.proxy.upstream;

import io.mistguard.proxy.time.LoopTimer;
import io.mistguard.proxy.time.LoopTimers;
import io.mistguard.proxy.net.MemoryExhaustion;
import io.mistguard.proxy.net.OneReadAggregator;
import io.mistguard.proxy.net.TcpState;
import io.mistguard.proxy.net.TransferCodings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.concurrent.TimeUnit;

/**
 * One attempt to send a request to Mist and read its complete response, bounded by a timeout.
 *
 * <p>The attempt takes an idle connection — from the loop's shared pool, or the caller's
 * {@link PrivateConnection} — or opens one, writes the request and waits for the aggregated
 * response. When its time runs out, or it is {@linkplain #cancel() cancelled}, the connection
 * carrying it is closed at once and never reused, so Mist sees the caller leave and no late answer
 * can reach a later request.
 *
 * <p><b>The keep-alive race</b> (RFC 9112 §9.3.1, §9.6): a server may close an idle connection just
 * as the proxy reuses it. Three rules keep that from costing a request:
 * <ol>
 *   <li>{@link ReuseRule}: a connection whose last answer ends keep-alive (Mist's web UI, a
 *       {@code Connection: close}, a {@code HEAD}) is never reused; nor is one whose next bytes may
 *       not be the next answer's: bytes read past the answer ({@link UpstreamCodec}), bytes with
 *       no call bound ({@link AnswerStartWatch}), or an answer
 *       that came before the request was written whole;
 *   <li>an idle connection the event loop has seen closed is never handed out (one whose FIN is in
 *       the kernel but not yet read is, and rule 3 covers it: checking every reuse with
 *       {@code getsockopt(TCP_INFO)} cost more than any other single step of a pass-through);
 *   <li>a request on a <em>reused</em> connection that ends before a single byte of an answer is
 *       sent once more on a fresh connection when Mist provably never read it: the write failed, or
 *       a reset followed Mist's FIN. That is the keep-alive race: Mist closed the connection before
 *       the request arrived, and its closed socket answered the request with a reset. A reset alone
 *       proves nothing of the kind (a peer that read the request and aborted its connection sends
 *       one), nor does a close (FIN) alone: Mist may have read the request, run it and closed
 *       without answering (a crash mid-command, a proxy or Mist build that behaves otherwise than
 *       Mist 3.10). So without that proof the request is sent again only if it is replayable (a
 *       {@code read} route's, as the constructor is told); otherwise, after a FIN, the connection is
 *       held half-closed while the kernel is asked, at once and {@link #RESET_RECHECK_MS} ms later,
 *       whether a reset followed ({@link TcpState#ended}), and the call fails with {@code RESET} if none did (RFC 9112
 *       §9.3.1: a proxy must not retry a non-idempotent request automatically unless it can tell the
 *       request was never applied). On NIO, where the kernel cannot be asked, it fails at once.
 * </ol>
 * A fresh connection, a connection that failed once a byte of the answer arrived, and a timeout are
 * never retried here; the route's retry policy decides about those.
 *
 * <p>Runs entirely on the caller's event loop; not thread-safe, and needs not be.
 */
public final class UpstreamCall {

    /**
     * When to ask the kernel once more whether a reset followed Mist's FIN, in ms after the first
     * look, which comes as the FIN is read. In the keep-alive race over loopback (Mist is a sidecar's
     * neighbour) the reset comes within the very write that provoked it, before the FIN is read. A
     * later reset is no proof: a peer that half-closed, read the request and then aborted sends one
     * too (found by review: with checks until ~60 ms, such a write reached it twice). Over a network
     * the race is then not absorbed: the caller gets 502 (RFC 9112 §9.3.1 prefers that to a replay).
     */
    static final long RESET_RECHECK_MS = 1;

    private final UpstreamPool pool;
    private final PrivateConnection privateConnection;
    private final EventLoop loop;
    private final FullHttpRequest request;
    private final Promise<FullHttpResponse> result;
    private final boolean replayable;
    /**
     * The request's half of the pool's {@link ReuseRule}, decided when the call is made, not when the
     * answer comes: the request was just built or copied for the call, so its line and headers are in
     * the CPU's caches then, and no longer by the answer (reading them there cost ~0.1 µs per request
     * in profile.sh's small-GET profile). The same decision: the request is not changed once handed
     * to {@link UpstreamClient#call} ("exactly as it should reach Mist"; {@link SendCopy}).
     */
    private final boolean requestLetsReuse;
    private LoopTimer timer;
    private Channel channel;
    private UpstreamHandler handler;
    private boolean reused;
    private boolean answerStarted;
    private boolean retriedFresh;
    /** Mist's FIN came on the current connection (it stays open, half-closed, until this call closes it). */
    private boolean finSeen;
    /** The request is written whole on the current connection: until then, what follows an answer is its rest. */
    private boolean requestWritten;
    private boolean done;
    /** Its place among its pool's unfinished calls ({@link UpstreamPool#track}); the pool's alone. */
    UpstreamCall olderCall;
    UpstreamCall newerCall;

    /** A call whose request is not replayable (see {@link #UpstreamCall(UpstreamPool, PrivateConnection, EventLoop, FullHttpRequest, boolean)}). */
    UpstreamCall(UpstreamPool pool, PrivateConnection privateConnection, EventLoop loop, FullHttpRequest request) {
        this(pool, privateConnection, loop, request, false);
    }

    /**
     * @param replayable whether {@code request} may reach Mist twice without harm (a {@code read}
     *        route's), so that it is sent again after a reused connection's plain close too
     */
    UpstreamCall(UpstreamPool pool, PrivateConnection privateConnection, EventLoop loop, FullHttpRequest request,
                 boolean replayable) {
        this.pool = pool;
        this.privateConnection = privateConnection;
        this.loop = loop;
        this.request = request;
        this.result = loop.newPromise();
        this.replayable = replayable;
        this.requestLetsReuse = pool.reuse().afterRequest(request);
    }

    /** Completes with Mist's response (owned by the listener) or fails with an {@link UpstreamException}. */
    public Future<FullHttpResponse> result() {
        return result;
    }

    void start(long timeoutNanos) {
        pool.track(this);
        timer = LoopTimers.schedule(loop, LoopTimers.Kind.ATTEMPT, this::onTimeout, timeoutNanos);
        // No getsockopt(TCP_INFO) here to spot a FIN that is in but not yet read: at ~2.5 µs per
        // request it was the dearest single item of a pass-through, and rule 3 below already
        // sends such a request once more on a fresh connection.
        Channel idle = privateConnection == null ? pool.pollIdle() : privateConnection.pollIdle();
        if (idle != null) {
            send(idle, true);
        } else {
            connect();
        }
    }

    /** Abandons the attempt: closes its connection and fails the result with {@code CANCELLED}. */
    public void cancel() {
        onFailure(UpstreamFailure.CANCELLED, "cancelled by the caller");
    }

    private void connect() {
        pool.connect().addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                Throwable cause = f.cause();
                if (cause instanceof java.nio.channels.ClosedChannelException && !retriedFresh && !done) {
                    // The new channel was closed before it could connect (seen under load): nothing
                    // was sent, so one more connection may carry the request.
                    retriedFresh = true;
                    connect();
                    return;
                }
                onFailure(UpstreamFailure.ofConnect(cause), Details.of(cause));
                return;
            }
            if (done) {
                keep(f.channel()); // fresh and unused: good for the next request of the same scope
                return;
            }
            send(f.channel(), false);
        });
    }

    private void send(Channel ch, boolean reusedConnection) {
        channel = ch;
        reused = reusedConnection;
        answerStarted = false;
        finSeen = false;
        requestWritten = false;
        handler = ch.pipeline().get(UpstreamHandler.class);
        handler.bind(this);
        if (HttpMethod.HEAD.equals(request.method())) {
            OneReadAggregator aggregator = ch.pipeline().get(OneReadAggregator.class);
            if (aggregator != null) {
                aggregator.answersHead();
            }
        }
        ChannelFuture written = ch.writeAndFlush(SendCopy.of(request));
        if (written.isDone()) {
            onWritten(ch, written); // the usual case: no listener to make and notify per request
        } else {
            written.addListener((ChannelFuture f) -> onWritten(ch, f));
        }
    }

    private void onWritten(Channel ch, ChannelFuture written) {
        if (written.isSuccess() && ch == channel) {
            requestWritten = true;
        }
        if (!written.isSuccess() && !done && ch == channel) {
            if (MemoryExhaustion.causedBy(written.cause())) {
                // No buffer to encode the request in: not sent, and another connection would not help.
                onFailure(UpstreamFailure.OUT_OF_MEMORY, "write failed: " + Details.of(written.cause()));
            } else {
                onNeverReceived("write failed: " + Details.of(written.cause()));
            }
        }
    }

    /** The first bytes of an answer arrived on this call's connection. */
    void onAnswerBytes() {
        answerStarted = true;
    }

    /**
     * Mist's final answer, complete.
     *
     * @param endedCleanly whether the connection's bytes end with this answer, nothing read past it
     *        ({@link UpstreamCodec}); if not, the connection is not used again
     */
    void onResponse(FullHttpResponse response, boolean endedCleanly) {
        if (done) {
            response.release();
            return;
        }
        if (response.decoderResult().isFailure()) {
            Throwable cause = response.decoderResult().cause();
            response.release();
            onFailure(cause instanceof PrematureChannelClosureException ? UpstreamFailure.RESET
                    : UpstreamFailure.unlessOutOfMemory(cause, UpstreamFailure.BAD_RESPONSE), Details.of(cause));
            return;
        }
        int code = response.status().code();
        if (!isFinalStatus(code)) {
            response.release();
            onFailure(UpstreamFailure.BAD_RESPONSE, finalStatusRefusal(code));
            return;
        }
        String codings = TransferCodings.leftOver(response);
        if (codings != null) {
            // Found by review: "gzip, chunked" lost its gzip and reached the caller still coded.
            response.release();
            onFailure(UpstreamFailure.BAD_RESPONSE, "unsupported Transfer-Encoding: " + codings
                      + " (mistguard undoes only chunked; RFC 9112 §6.1)");
            return;
        }
        Channel used = channel;
        // Not before the request is written whole: the rest of its body would still go out on this
        // connection, where a server that answered early reads it as the next request (found by
        // review: an answer before the body was read put the connection back in the pool mid-write).
        boolean reusable = endedCleanly && requestWritten && requestLetsReuse && pool.reuse().afterAnswer(response);
        handler.unbind();
        finish();
        if (reusable) {
            keep(used);
        } else {
            used.close();
        }
        result.setSuccess(response);
    }

    /**
     * Whether {@code code} can be the final answer to a request of mistguard's: 200–599. The handler
     * skips interim 1xx answers; what is left below 200 is a {@code 101 Switching Protocols}, which a
     * server must not send to a request whose {@code Upgrade} named no protocol (RFC 9110 §15.2.2), and
     * no request sent here names one (the WebSocket tunnel has its own upstream). Passed on, it would
     * end HTTP on the caller's connection, or leave its next answer framed as a {@code HEAD}'s. A code
     * outside 100–599 is none of HTTP's (RFC 9110 §15).
     */
    static boolean isFinalStatus(int code) {
        return code >= 200 && code <= 599;
    }

    private static String finalStatusRefusal(int code) {
        return code == 101 ? "101 Switching Protocols to a request that asked for no upgrade (RFC 9110 §15.2.2)"
                           : "status " + code + " is not a final HTTP status (RFC 9110 §15)";
    }

    /**
     * The connection was reset or broke (or closed under the call) before the answer was complete.
     * Before any byte of it: after Mist's FIN, a reset is the keep-alive race's (the request met a
     * socket Mist had closed), proof that Mist never read it. Without a FIN first it is not: a peer
     * that reads a request and then aborts its connection (SO_LINGER 0) resets it too (found by a
     * review of the first version of this rule, which sent such a write twice). So then only a
     * replayable request is sent again.
     */
    void onConnectionEnded(String detail) {
        if (answerStarted) {
            onFailure(UpstreamFailure.RESET, detail);
        } else if (replayable || finSeen) {
            onNeverReceived(detail);
        } else {
            onFailure(UpstreamFailure.RESET, detail + "; not sent again: a reset with no FIN before it may follow "
                    + "a read, so Mist may have run it (RFC 9112 §9.3.1)");
        }
    }

    /**
     * Mist's FIN came before the answer was complete; the connection is still open, half-closed, and
     * is closed by this call. Before any byte of an answer, Mist may have read the request: see the
     * class comment for when it is sent again.
     */
    void onPeerClosed() {
        if (done) {
            return;
        }
        finSeen = true;
        if (answerStarted || !reused || retriedFresh) {
            onFailure(UpstreamFailure.RESET, "connection closed before a complete response");
        } else if (replayable) {
            onNeverReceived("connection closed before a complete response");
        } else {
            awaitReset(channel, false);
        }
    }

    /** Asks the kernel whether a reset followed Mist's FIN on {@code ch}; {@code again} on the second look. */
    private void awaitReset(Channel ch, boolean again) {
        if (done || ch != channel) {
            return;
        }
        if (TcpState.ended(ch)) {
            onNeverReceived("connection reset before any response"); // Mist's socket discarded the request unread
        } else if (again) {
            onFailure(UpstreamFailure.RESET, "Mist closed the connection after the request reached it, without "
                    + "answering; not sent again, as it may have run it (RFC 9112 §9.3.1)");
        } else {
            loop.schedule(() -> awaitReset(ch, true), RESET_RECHECK_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Mist did not run the request: once more, on a fresh connection, if this one was reused. */
    private void onNeverReceived(String detail) {
        if (done) {
            return;
        }
        if (channel != null && reused && !retriedFresh) {
            retriedFresh = true;
            handler.unbind();
            channel.close();
            channel = null;
            handler = null;
            connect();
            return;
        }
        onFailure(UpstreamFailure.RESET, detail);
    }

    void onFailure(UpstreamFailure failure, String detail) {
        if (done) {
            return;
        }
        if (channel != null) {
            handler.unbind();
            channel.close(); // never reuse a connection whose exchange did not complete
        }
        finish();
        result.setFailure(new UpstreamException(failure, detail));
    }

    private void onTimeout() {
        onFailure(UpstreamFailure.TIMEOUT, "no complete response in time");
    }

    private void keep(Channel ch) {
        if (privateConnection == null) {
            pool.release(ch);
        } else {
            privateConnection.release(ch);
        }
    }

    private void finish() {
        done = true;
        pool.untrack(this);
        if (timer != null) {
            timer.cancel();
        }
        request.release();
    }
}
