package io.mistguard.proxy;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

/**
 * An allocator with no direct memory left: every direct buffer fails as the JDK's allocation does
 * when {@code -XX:MaxDirectMemorySize} is reached; heap buffers are made as usual. Stateless.
 */
public final class NoDirectMemory {

    /** The allocator; {@code buffer()} gives heap buffers, so encoders still work. */
    public static final ByteBufAllocator ALLOCATOR = allocator(false);

    /** As Netty's default allocator does, {@code buffer()} asks for direct memory too, and fails. */
    public static final ByteBufAllocator PREFERRING_DIRECT = allocator(true);

    private static ByteBufAllocator allocator(boolean preferDirect) {
        return new AbstractByteBufAllocator(preferDirect) {
            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                return UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
            }

            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                throw new OutOfMemoryError("Cannot reserve " + initialCapacity + " bytes of direct buffer memory");
            }

            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }
        };
    }

    private NoDirectMemory() {
    }
}
