package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** {@link Main}'s defaults for Netty: set where the operator set nothing, never over a {@code -D}. */
class MainTest {

    @Test
    void releaseTracesOfTheLeakDetectorAreOffByDefault() {
        Properties properties = new Properties();
        Main.nettyDefaults(properties);
        assertThat(properties.getProperty("io.netty.leakDetection.trackClose")).isEqualTo("false");
    }

    @Test
    void theLeakDetectorTracksOneBufferIn1024ByDefault() {
        Properties properties = new Properties();
        Main.nettyDefaults(properties);
        assertThat(properties.getProperty("io.netty.leakDetection.samplingInterval")).isEqualTo("1024");
    }

    @Test
    void nettysFlightRecorderEventsAreOffByDefault() {
        Properties properties = new Properties();
        Main.nettyDefaults(properties);
        assertThat(properties.getProperty("io.netty.jfr.enabled")).isEqualTo("false");
    }

    @Test
    void anOperatorsChoiceWins() {
        Properties properties = new Properties();
        properties.setProperty("io.netty.leakDetection.trackClose", "true");
        properties.setProperty("io.netty.jfr.enabled", "true");
        properties.setProperty("io.netty.leakDetection.samplingInterval", "1");
        Main.nettyDefaults(properties);
        assertThat(properties.getProperty("io.netty.leakDetection.trackClose")).isEqualTo("true");
        assertThat(properties.getProperty("io.netty.jfr.enabled")).isEqualTo("true");
        assertThat(properties.getProperty("io.netty.leakDetection.samplingInterval")).isEqualTo("1");
    }
}
