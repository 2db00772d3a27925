package io.mistguard.proxy.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.netty.util.internal.PlatformDependent;

/**
 * {@code mistguard_direct_memory_used_bytes} and {@code mistguard_direct_memory_max_bytes}: the direct
 * memory Netty's buffers hold now, and what {@code -XX:MaxDirectMemorySize} allows; a message that
 * finds too little left is answered 503 {@code out-of-memory}. Netty counts these only for the
 * buffers it makes itself (its no-cleaner buffers, which mistguard.jar turns on: see {@code Main}), and
 * those the JVM's {@code jvm_buffer_memory_used_bytes{id="direct"}} does not see; without them (a JVM
 * run another way) Netty counts nothing, the JVM's gauge has it all, and these two are not registered.
 * Read at scrape time; thread-safe.
 */
final class DirectMemoryMeters implements MeterBinder {

    @Override
    public void bindTo(MeterRegistry registry) {
        if (PlatformDependent.usedDirectMemory() < 0) {
            return;
        }
        Gauge.builder("mistguard.direct.memory.used", PlatformDependent::usedDirectMemory)
                .description("Direct memory held by Netty's buffers now (messages in flight, pooled chunks)")
                .baseUnit("bytes").strongReference(true).register(registry);
        Gauge.builder("mistguard.direct.memory.max", PlatformDependent::maxDirectMemory)
                .description("Direct memory Netty's buffers may hold (-XX:MaxDirectMemorySize)")
                .baseUnit("bytes").strongReference(true).register(registry);
    }
}
