package io.mistguard.proxy.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.time.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config watcher looks at the file's stamp on fake time: one reload per change once it holds still
 * for the quiet time, none for a change undone in between, and none for writes next to the file
 * (the regression: a directory watch woke on every access-log line written beside the config).
 */
class ConfigWatcherTest {

    private static final Duration INTERVAL = Duration.ofMillis(250);
    private static final Duration QUIET = Duration.ofMillis(300);

    private final ManualClock clock = new ManualClock();
    private final AtomicReference<Object> stamp = new AtomicReference<>("v1");
    private final AtomicInteger reloads = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();

    @Test
    void aChangeReloadsOnceAfterItHoldsStillForTheQuietTime() {
        ConfigWatcher watcher = startLooking();
        clock.advance(Duration.ofSeconds(2));
        assertThat(reloads).hasValue(0);

        stamp.set("v2");
        clock.advance(INTERVAL); // seen
        clock.advance(INTERVAL); // still for 250 ms
        assertThat(reloads).as("not yet quiet for 300 ms").hasValue(0);
        clock.advance(INTERVAL);
        assertThat(reloads).hasValue(1);
        clock.advance(Duration.ofSeconds(5));
        assertThat(reloads).as("once per change").hasValue(1);
        watcher.close();
        assertThat(closed).hasValue(1);
    }

    @Test
    void aFileStillBeingWrittenReloadsOnceWhenItSettles() {
        startLooking();
        for (int i = 2; i < 8; i++) {
            stamp.set("v" + i);
            clock.advance(INTERVAL);
        }
        assertThat(reloads).hasValue(0);
        clock.advance(Duration.ofSeconds(1));
        assertThat(reloads).hasValue(1);
    }

    @Test
    void aChangeUndoneBeforeItSettlesReloadsNothing() {
        startLooking();
        stamp.set("v2");
        clock.advance(INTERVAL);
        stamp.set("v1");
        clock.advance(Duration.ofSeconds(2));
        assertThat(reloads).hasValue(0);
    }

    @Test
    void aClosedWatcherLooksNoMore() {
        ConfigWatcher watcher = startLooking();
        watcher.close();
        stamp.set("v2");
        clock.advance(Duration.ofSeconds(5));
        assertThat(reloads).hasValue(0);
        assertThat(clock.pendingTasks()).isZero();
    }

    @Test
    void writesBesideTheConfigLeaveItsStampAloneRegression(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("mistguard.yaml"), "routes: []\n");
        Object before = ConfigWatcher.stampOf(config);
        Path log = dir.resolve("mistguard.log");
        for (int i = 0; i < 100; i++) {
            Files.writeString(log, "line " + i + "\n", java.nio.file.StandardOpenOption.CREATE,
                              java.nio.file.StandardOpenOption.APPEND);
        }
        assertThat(ConfigWatcher.stampOf(config)).isEqualTo(before);

        Files.writeString(config, "routes: [] # changed, longer\n");
        assertThat(ConfigWatcher.stampOf(config)).isNotEqualTo(before);
        Files.delete(config);
        assertThat(ConfigWatcher.stampOf(config)).isEqualTo("missing");
    }

    /** A watcher that has started looking (its first look scheduled). */
    private ConfigWatcher startLooking() {
        ConfigWatcher watcher = new ConfigWatcher(stamp::get, clock, INTERVAL, QUIET, reloads::incrementAndGet,
                                                  closed::incrementAndGet);
        watcher.startLooking();
        return watcher;
    }
}
