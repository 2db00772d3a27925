package io.mistguard.proxy.blocking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;

/**
 * Proves the blocking-call detector works: a {@code Thread.sleep} on an event loop named like
 * mistguard's is caught, recorded and turned into a test failure by {@link BlockingCallGuard}; the
 * same call on sim-mist's kind of loop, or on a plain thread, is not. Each test drains what it
 * provoked on purpose, so that the guard does not fail it.
 */
class BlockingCallDetectorTest {

    private EventLoopGroup group;

    @AfterEach
    void stop() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private Future<?> sleepOnALoopNamed(String prefix) {
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(prefix, true), NioIoHandler.newFactory());
        return group.submit(() -> {
            Thread.sleep(1);
            return null;
        });
    }

    @Test
    void aSleepOnAMistguardEventLoopIsCaughtAndFailsTheTestThatMadeIt() throws Exception {
        Future<?> task = sleepOnALoopNamed("mistguard-io");
        assertThatThrownBy(() -> task.get()).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(BlockingOperationError.class);
        assertThatThrownBy(() -> BlockingCallGuard.assertNone("this test"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("1 blocking call(s) on a mistguard event loop during this test")
                .hasMessageContaining("java.lang.Thread.sleep")
                .hasMessageContaining("mistguard-io");
        assertThat(BlockingCalls.drain()).as("the guard drained it").isEmpty();
    }

    @Test
    void aSleepOnAnotherLoopOrAPlainThreadIsNotWatched() throws Exception {
        sleepOnALoopNamed("sim-mist-like").get(5, TimeUnit.SECONDS);
        Thread.sleep(1);
        assertThat(BlockingCalls.drain()).isEmpty();
    }
}
