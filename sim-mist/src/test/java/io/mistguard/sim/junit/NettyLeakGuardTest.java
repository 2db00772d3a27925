package io.mistguard.sim.junit;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** Proves the leak guard really fails on a leaked buffer, so a green build means no leak. */
class NettyLeakGuardTest {

    @Test
    void leakedBufferIsReported() {
        leakOneBuffer();
        assertThatThrownBy(() -> NettyLeakGuard.assertNoLeaks("leak probe"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("leak probe");
    }

    @Test
    void releasedBufferIsNotReported() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(32);
        buf.writeInt(42);
        buf.release();
        assertThatCode(() -> NettyLeakGuard.assertNoLeaks("clean probe")).doesNotThrowAnyException();
    }

    private static void leakOneBuffer() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(32);
        leaked.writeInt(7);
        // Intentionally dropped without release().
    }
}
