package io.mistguard.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * How a failure of an upstream connection is named, and whom it blames. Regression: mistguard's own
 * lack of direct memory was named {@code bad-response} (or {@code upstream-reset} at connect), and
 * counted against Mist.
 */
class UpstreamFailureTest {

    private static final OutOfMemoryError SHORTAGE = new OutOfMemoryError("Cannot reserve 8192 bytes of direct buffer memory");

    @Test
    void aConnectFailureIsNamedByItsCause() {
        assertThat(UpstreamFailure.ofConnect(new ConnectTimeoutException("timed out"))).isEqualTo(UpstreamFailure.CONNECT_TIMEOUT);
        assertThat(UpstreamFailure.ofConnect(new ConnectException("refused"))).isEqualTo(UpstreamFailure.CONNECT_REFUSED);
        assertThat(UpstreamFailure.ofConnect(new ClosedChannelException())).isEqualTo(UpstreamFailure.RESET);
        assertThat(UpstreamFailure.ofConnect(SHORTAGE)).isEqualTo(UpstreamFailure.OUT_OF_MEMORY);
    }

    @Test
    void anUnreadableAnswerIsTheAnswersFaultUnlessMemoryRanOut() {
        assertThat(UpstreamFailure.unlessOutOfMemory(new DecoderException("bad status line"), UpstreamFailure.BAD_RESPONSE))
                .isEqualTo(UpstreamFailure.BAD_RESPONSE);
        assertThat(UpstreamFailure.unlessOutOfMemory(new DecoderException(SHORTAGE), UpstreamFailure.BAD_RESPONSE))
                .isEqualTo(UpstreamFailure.OUT_OF_MEMORY);
        assertThat(UpstreamFailure.unlessOutOfMemory(SHORTAGE, UpstreamFailure.RESPONSE_TOO_LARGE))
                .isEqualTo(UpstreamFailure.OUT_OF_MEMORY);
    }

    @ParameterizedTest
    @EnumSource(UpstreamFailure.class)
    void onlyTheUpstreamsOwnFailuresBlameIt(UpstreamFailure failure) {
        boolean ours = failure == UpstreamFailure.CANCELLED || failure == UpstreamFailure.OUT_OF_MEMORY;
        assertThat(failure.upstreamsFault()).isEqualTo(!ours);
    }

    @Test
    void outOfMemoryIsA503() {
        assertThat(UpstreamFailure.OUT_OF_MEMORY.status().code()).isEqualTo(503);
        assertThat(UpstreamFailure.OUT_OF_MEMORY.reason()).isEqualTo("out-of-memory");
    }
}
