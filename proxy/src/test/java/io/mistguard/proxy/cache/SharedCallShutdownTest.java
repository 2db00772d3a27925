package io.mistguard.proxy.cache;

import static org.assertj.core.api.Assertions.assertThatCode;

import io.netty.channel.DefaultEventLoop;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A {@link SharedCall} whose own event loop shuts down while its callers' loops still run. */
class SharedCallShutdownTest {

    /**
     * Regression: the last caller leaving handed the call's cancellation to the call's loop without
     * a guard; with that loop shut down, the hand-off threw {@code RejectedExecutionException} out of
     * the caller's deadline timer, before the caller was answered.
     */
    @Test
    void theLastCallerLeavingACallWhoseLoopIsShutDownDoesNotThrow() throws Exception {
        DefaultEventLoop callsLoop = new DefaultEventLoop();
        SharedCall call = new SharedCall("key", null, callsLoop, 1_000_000_000L, 1_000_000_000L, () -> 0);
        callsLoop.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();

        assertThatCode(() -> call.starter().leave()).doesNotThrowAnyException();
    }
}
