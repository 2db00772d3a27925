package io.mistguard.sim.junit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that fails a test class when Netty's leak detector reported a leaked buffer
 * during (or just before) it.
 *
 * <p>Netty only notices a leak when a leaked buffer has been garbage-collected and a later
 * allocation polls the detector's queue, so after each class this runs a few GC-and-allocate rounds
 * before reading {@link RecordingLeakDetector}'s reports. A leak is thus attributed to the class that
 * caused it or, at worst, to the next one; either way the build fails. Registered for every test via
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension} and JUnit's extension
 * auto-detection.
 */
public final class NettyLeakGuard implements AfterAllCallback {

    private static final List<ByteBufAllocator> ALLOCATORS =
            List.of(ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT);

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        assertNoLeaks(context.getDisplayName());
    }

    /** Provokes leak detection and throws an {@link AssertionError} listing any leak reported. */
    public static void assertNoLeaks(String where) throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(20);
            for (ByteBufAllocator allocator : ALLOCATORS) {
                for (int i = 0; i < 4; i++) {
                    ByteBuf probe = allocator.buffer(16);
                    probe.release();
                    ByteBuf direct = allocator.directBuffer(16);
                    direct.release();
                }
            }
        }
        List<String> leaks = RecordingLeakDetector.drainReports();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) reported around "
                    + where + ":\n" + String.join("\n\n", leaks));
        }
    }
}
