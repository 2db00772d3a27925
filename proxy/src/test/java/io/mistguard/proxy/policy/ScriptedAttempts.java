package io.mistguard.proxy.policy;

import io.mistguard.proxy.time.Ticker;
import io.mistguard.proxy.upstream.PrivateConnection;
import io.mistguard.proxy.upstream.UpstreamException;
import io.mistguard.proxy.upstream.UpstreamFailure;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Upstream attempts that the test settles: each {@link #start} records when it started and the
 * timeout it was given, and returns an {@link Attempt} the test answers, fails with an
 * {@link UpstreamFailure}, or sees cancelled. Stands where the real client would. Single-threaded.
 */
public final class ScriptedAttempts implements UpstreamAttempts {

    /** What Mist answers a local caller's command. */
    static final String MIST_REPLY = "{\"LTS\":1,\"authorize\":{\"local\":true,\"status\":\"OK\"}}\n\n";

    private final Ticker ticker;
    public final List<Scripted> started = new ArrayList<>();
    /** Every answer Mist gave, to check that each one was released by whoever ended up owning it. */
    final List<FullHttpResponse> answers = new ArrayList<>();

    ScriptedAttempts(Ticker ticker) {
        this.ticker = ticker;
    }

    @Override
    public Attempt start(EventLoop loop, FullHttpRequest request, long timeoutNanos,
                         PrivateConnection privateConnection, boolean replayable) {
        request.release(); // the attempt owns the request; nothing here reads it
        Scripted attempt = new Scripted(loop.newPromise(), ticker.nanoTime(), timeoutNanos, answers);
        started.add(attempt);
        return attempt;
    }

    /** The only attempt started so far, failing the test if there is not exactly one. */
    public Scripted only() {
        if (started.size() != 1) {
            throw new AssertionError("attempts started: " + started.size() + " (expected: 1)");
        }
        return started.get(0);
    }

    public Scripted last() {
        if (started.isEmpty()) {
            throw new AssertionError("no attempt was started");
        }
        return started.get(started.size() - 1);
    }

    /** One attempt at Mist, as the test scripts it. */
    public static final class Scripted implements Attempt {

        private final Promise<FullHttpResponse> result;
        private final List<FullHttpResponse> answers;
        final long startedAt;
        final long timeoutNanos;
        int cancels;
        /** Like a response already on the wire: a cancel does not fail the result, a late answer may follow. */
        boolean deafToCancel;

        private Scripted(Promise<FullHttpResponse> result, long startedAt, long timeoutNanos,
                         List<FullHttpResponse> answers) {
            this.result = result;
            this.answers = answers;
            this.startedAt = startedAt;
            this.timeoutNanos = timeoutNanos;
        }

        @Override
        public Promise<FullHttpResponse> result() {
            return result;
        }

        /** As the real client: the connection is closed and the result fails with {@code CANCELLED}. */
        @Override
        public void cancel() {
            cancels++;
            if (!deafToCancel) {
                result.tryFailure(new UpstreamException(UpstreamFailure.CANCELLED, "closed by mistguard"));
            }
        }

        /** Mist answers with {@code status} and a valid reply ({@code authorize.status OK}), as to a local caller. */
        public void answer(int status) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(status), Unpooled.copiedBuffer(MIST_REPLY, StandardCharsets.UTF_8));
            answers.add(response);
            if (!result.trySuccess(response)) {
                response.release();
                throw new AssertionError("attempt settled twice");
            }
        }

        public void fail(UpstreamFailure failure) {
            fail(new UpstreamException(failure, "scripted " + failure.reason()));
        }

        void fail(Throwable cause) {
            if (!result.tryFailure(cause)) {
                throw new AssertionError("attempt settled twice");
            }
        }

        public boolean cancelled() {
            return cancels > 0;
        }
    }
}
