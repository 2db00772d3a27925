package io.mistguard.proxy.reload;

import io.mistguard.proxy.time.Scheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads when the config file changes, by looking at it: every {@code interval} it reads the file's
 * modification time, size and identity (following symbolic links, so a Kubernetes ConfigMap swap of
 * {@code ..data} shows as a new file), and once a change has held still for {@code quiet} it calls
 * {@code onChange} — so an editor's save that touches the file several times reloads once.
 *
 * <p>Why not a {@code WatchService}: it watches the whole directory, so every write of anything next
 * to the config — a log file, the invalidation state file, an editor's swap file — woke two threads
 * (in a profile under load, with the access log written beside the config, the two watcher threads took about
 * 18% of the process's CPU samples).
 * Looking costs one {@code stat} per interval whatever happens around the file.
 *
 * <p>Runs on one daemon thread of its own; {@code onChange} runs there. Thread-safe to close.
 */
public final class ConfigWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);
    /** How often the file is looked at: a change is seen within this, plus {@code quiet}. */
    public static final Duration INTERVAL = Duration.ofMillis(250);

    private final Supplier<Object> stamp;
    private final Scheduler scheduler;
    private final long intervalNanos;
    private final long quietNanos;
    private final Runnable onChange;
    private final Runnable onClose;
    /** The stamp the last reload (or the start) saw; touched only by the polling task. */
    private Object applied;
    /** The stamp of a change not yet applied, and for how long it has held still. */
    private Object pending;
    private long stillNanos;
    private volatile boolean closed;
    private volatile Scheduler.Cancellable next;

    ConfigWatcher(Supplier<Object> stamp, Scheduler scheduler, Duration interval, Duration quiet, Runnable onChange,
                  Runnable onClose) {
        this.stamp = stamp;
        this.scheduler = scheduler;
        this.intervalNanos = interval.toNanos();
        this.quietNanos = quiet.toNanos();
        this.onChange = onChange;
        this.onClose = onClose;
        this.applied = stamp.get();
    }

    /** Starts looking at {@code file}; {@code onChange} runs on the watcher's thread. */
    public static ConfigWatcher start(Path file, Duration quiet, Runnable onChange) {
        Path absolute = file.toAbsolutePath();
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mistguard-config-watch");
            t.setDaemon(true);
            return t;
        });
        ConfigWatcher watcher = new ConfigWatcher(() -> stampOf(absolute), Scheduler.of(thread), INTERVAL, quiet,
                                                  onChange, thread::shutdownNow);
        watcher.startLooking();
        return watcher;
    }

    /** Schedules the first look, {@code interval} from now. */
    void startLooking() {
        schedule();
    }

    /** What identifies the file's content without reading it; a missing file is a stamp of its own. */
    static Object stampOf(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return java.util.List.of(a.lastModifiedTime(), a.size(), Objects.toString(a.fileKey()));
        } catch (IOException e) {
            return "missing";
        }
    }

    private void schedule() {
        if (!closed) {
            next = scheduler.schedule(this::look, intervalNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void look() {
        try {
            Object now = stamp.get();
            if (now.equals(applied)) {
                pending = null; // changed and changed back: nothing to do
            } else if (!now.equals(pending)) {
                pending = now; // a new change: wait until it holds still
                stillNanos = 0;
            } else {
                stillNanos += intervalNanos;
                if (stillNanos >= quietNanos) {
                    applied = now;
                    pending = null;
                    onChange.run();
                }
            }
        } catch (RuntimeException e) {
            log.warn("config watcher: {}", e.toString());
        } finally {
            schedule();
        }
    }

    @Override
    public void close() {
        closed = true;
        Scheduler.Cancellable scheduled = next;
        if (scheduled != null) {
            scheduled.cancel();
        }
        onClose.run();
    }
}
