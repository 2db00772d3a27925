package io.mistguard.proxy.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.ProxyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reloader on its own: applies a good file, and refuses (never throws) once mistguard is stopping. */
class ConfigReloaderTest {

    private static final String YAML = """
            routes:
              - {name: get-state, match: {commands: [active_streams]}, kind: read, timeout: 3s}
              - {name: rest, match: {}, kind: passthrough}
            """;

    @Test
    void appliesAGoodFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mistguard.yaml");
        Files.writeString(file, YAML);
        AtomicInteger applied = new AtomicInteger();
        try (ConfigReloader reloader = new ConfigReloader(file, ConfigLoader.load(file), ReloadOverrides.none(),
                                                          c -> applied.incrementAndGet())) {
            Files.writeString(file, YAML.replace("3s", "2s"));
            ReloadOutcome outcome = reloader.reload("test").get(5, TimeUnit.SECONDS);

            assertThat(outcome.applied()).isTrue();
            assertThat(applied).hasValue(1);
            assertThat(reloader.running().policy().route("get-state").timeout()).isEqualTo(Duration.ofSeconds(2));
        }
    }

    /** Regression: after close, reload threw RejectedExecutionException at the admin handler or signal thread. */
    @Test
    void aReloadAfterCloseIsRefusedNotThrown(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mistguard.yaml");
        Files.writeString(file, YAML);
        ProxyConfig running = ConfigLoader.load(file);
        AtomicInteger applied = new AtomicInteger();
        ConfigReloader reloader = new ConfigReloader(file, running, ReloadOverrides.none(),
                                                     c -> applied.incrementAndGet());
        reloader.close();

        ReloadOutcome outcome = reloader.reload("SIGHUP").get(5, TimeUnit.SECONDS);

        assertThat(outcome.applied()).isFalse();
        assertThat(outcome.problems()).containsExactly("mistguard is stopping");
        assertThat(applied).hasValue(0);
        assertThat(reloader.running()).isSameAs(running);
    }
}
