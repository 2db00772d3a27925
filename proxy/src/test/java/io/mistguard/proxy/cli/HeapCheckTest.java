package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.ProxyConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@link HeapCheck}: a warning when the stores and connections the configuration allows could take
 * more than three quarters of the heap. With the image's -XX:+ExitOnOutOfMemoryError, filling them
 * would end the process, and nothing said so.
 */
class HeapCheckTest {

    private static final long IMAGE_HEAP = 128L << 20;

    @Test
    void theDefaultsAndTheShippedConfigFitTheImagesHeap() throws Exception {
        assertThat(HeapCheck.bounded(ProxyConfig.defaults())).isEqualTo((32L << 20) + 10_000 * 4096L);
        assertThat(HeapCheck.warning(ProxyConfig.defaults(), IMAGE_HEAP)).isEmpty();
        assertThat(HeapCheck.warning(ConfigLoader.load(Path.of("..", "deploy", "mistguard.yaml")), IMAGE_HEAP)).isEmpty();
        ProxyConfig triggers = ConfigLoader.parse("triggers: {}\n", "m.yaml");
        assertThat(HeapCheck.bounded(triggers)).as("with the trigger listener's stores")
                .isEqualTo((32L << 20) + 10_000 * 4096L + (4L << 20) + (8L << 20));
        assertThat(HeapCheck.warning(triggers, IMAGE_HEAP)).isEmpty();
    }

    @Test
    void storesOverThreeQuartersOfTheHeapAreWarnedOfWithWhatTakesIt() throws Exception {
        ProxyConfig big = ConfigLoader.parse("cache: {max_bytes: 96MiB}\nlimits: {max_connections: 1000}\n", "m.yaml");

        assertThat(HeapCheck.warning(big, IMAGE_HEAP)).hasValue(
                "the heap may have to hold 99.9 MiB (cache.max_bytes 96 MiB, limits.max_connections 1000 at ~4 KiB "
                + "each (3.9 MiB)), but this JVM's heap (-Xmx) is 128 MiB, and over 96 MiB of it leaves too little "
                + "room: filling them runs the heap out of memory, and with -XX:+ExitOnOutOfMemoryError (the image's) "
                + "mistguard exits. Lower them, or raise -Xmx (and the container's memory limit)");
        assertThat(HeapCheck.warning(big, 256L << 20)).isEmpty();
    }
}
