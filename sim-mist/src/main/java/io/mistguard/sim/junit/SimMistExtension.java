package io.mistguard.sim.junit;

import io.mistguard.sim.SimMist;
import io.mistguard.sim.SimMistBuilder;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that runs one sim-mist per test class (register it on a static field with
 * {@code @RegisterExtension}) and clears its faults, recording and trigger outcomes before each test.
 * Used on an instance field it starts a fresh sim-mist per test instead. Not thread-safe.
 */
public final class SimMistExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    private final UnaryOperator<SimMistBuilder> config;
    private SimMist mist;

    private SimMistExtension(UnaryOperator<SimMistBuilder> config) {
        this.config = config;
    }

    /** An ephemeral-port sim-mist with no control port, 20 streams of 5 viewers, no triggers. */
    public static SimMistExtension withDefaults() {
        return with(b -> b.streams(20, 5));
    }

    /** A sim-mist configured by {@code config} (applied to a fresh builder). */
    public static SimMistExtension with(UnaryOperator<SimMistBuilder> config) {
        return new SimMistExtension(config);
    }

    /** The running sim-mist. */
    public SimMist get() {
        if (mist == null) {
            throw new IllegalStateException("sim-mist not started (register with @RegisterExtension)");
        }
        return mist;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        mist = config.apply(SimMist.builder()).start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (mist == null) {
            mist = config.apply(SimMist.builder()).start();
            context.getStore(ExtensionContext.Namespace.create(SimMistExtension.class, context.getUniqueId()))
                    .put("mist", new Stopper(this));
        }
        mist.faults().clear();
        mist.recording().clear();
        mist.triggers().clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    private void stop() {
        if (mist != null) {
            mist.close();
            mist = null;
        }
    }

    /**
     * Stops a per-test sim-mist when JUnit closes the test's store. Both interfaces: JUnit 5.13+
     * closes {@link AutoCloseable} values (and warns about the deprecated {@code CloseableResource}
     * alone), older versions only {@code CloseableResource}; JUnit closes a value once either way.
     */
    @SuppressWarnings("deprecation")
    private record Stopper(SimMistExtension extension) implements ExtensionContext.Store.CloseableResource,
            AutoCloseable {
        @Override
        public void close() {
            extension.stop();
        }
    }
}
