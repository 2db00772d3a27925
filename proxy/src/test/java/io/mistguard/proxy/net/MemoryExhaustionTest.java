package io.mistguard.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderException;
import io.netty.util.internal.OutOfDirectMemoryError;
import java.io.IOException;
import java.lang.reflect.Constructor;
import org.junit.jupiter.api.Test;

/** Which failures are mistguard's own lack of memory, however a handler receives them. */
class MemoryExhaustionTest {

    @Test
    void theJdksDirectMemoryErrorBareOrWrappedIsALackOfMemory() {
        OutOfMemoryError jdk = new OutOfMemoryError("Cannot reserve 16777216 bytes of direct buffer memory");
        assertThat(MemoryExhaustion.causedBy(jdk)).isTrue();
        assertThat(MemoryExhaustion.causedBy(new DecoderException(jdk))).isTrue();
        assertThat(MemoryExhaustion.causedBy(new IllegalStateException(new DecoderException(jdk)))).isTrue();
    }

    @Test
    void nettysOwnDirectMemoryErrorIsALackOfMemory() throws Exception {
        Constructor<OutOfDirectMemoryError> made = OutOfDirectMemoryError.class.getDeclaredConstructor(String.class);
        made.setAccessible(true);
        assertThat(MemoryExhaustion.causedBy(made.newInstance("failed to allocate 16777216 byte(s)"))).isTrue();
    }

    @Test
    void otherFailuresAreNot() {
        assertThat(MemoryExhaustion.causedBy(null)).isFalse();
        assertThat(MemoryExhaustion.causedBy(new IOException("Connection reset by peer"))).isFalse();
        assertThat(MemoryExhaustion.causedBy(new DecoderException("invalid version format"))).isFalse();
        assertThat(MemoryExhaustion.causedBy(new StackOverflowError())).isFalse();
    }

    @Test
    void aCycleOfCausesEndsTheWalk() {
        Exception first = new Exception("first");
        Exception second = new Exception("second", first);
        first.initCause(second);
        assertThat(MemoryExhaustion.causedBy(first)).isFalse();
    }
}
