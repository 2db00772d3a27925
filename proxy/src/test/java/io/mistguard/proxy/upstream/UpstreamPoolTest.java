package io.mistguard.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pool's list of unfinished calls, linked through the calls: a stop must cancel every call that
 * has not finished, whichever of the others finished before it, and none twice.
 */
class UpstreamPoolTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final UpstreamPool pool = new UpstreamPool(null, "127.0.0.1", 1, 4);

    @Test
    void stopCancelsEveryUnfinishedCallWhicheverOthersFinishedFirst() {
        List<UpstreamCall> calls = new ArrayList<>();
        List<FullHttpRequest> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            FullHttpRequest request = request();
            requests.add(request);
            UpstreamCall call = new UpstreamCall(pool, null, channel.eventLoop(), request);
            pool.track(call);
            calls.add(call);
        }
        // finished out of order: the oldest, one in the middle, the newest
        for (int finished : new int[] {0, 3, 5}) {
            calls.get(finished).cancel();
        }

        pool.closeAll();

        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i).result().isDone()).as("call %d finished", i).isTrue();
            assertThat(requests.get(i).refCnt()).as("request %d released once", i).isZero();
        }
        pool.closeAll(); // nothing left to cancel: no call is finished twice
    }

    @Test
    void aCallUntrackedTwiceLeavesTheOthersTracked() {
        UpstreamCall first = new UpstreamCall(pool, null, channel.eventLoop(), request());
        UpstreamCall second = new UpstreamCall(pool, null, channel.eventLoop(), request());
        pool.track(first);
        pool.track(second);

        pool.untrack(second);
        pool.untrack(second);
        pool.closeAll();

        assertThat(first.result().isDone()).isTrue();
        assertThat(second.result().isDone()).isFalse();
        second.cancel(); // releases its request
    }

    private static FullHttpRequest request() {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api", Unpooled.buffer(0));
    }
}
