package io.mistguard.proxy.reload;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads when the config file changes: a {@link WatchService} on the file's directory (editors
 * and ConfigMap updates replace the file rather than write it in place, so the directory is what
 * sees the change), on a daemon thread. Events are debounced: a reload starts once the directory
 * has been quiet for {@code quiet}, so a save that touches the file several times reloads once.
 */
public final class ConfigWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

    private final WatchService watcher;
    private final Thread thread;

    private ConfigWatcher(WatchService watcher, Thread thread) {
        this.watcher = watcher;
        this.thread = thread;
    }

    /** Starts watching {@code file}; {@code onChange} runs on the watcher's thread. */
    public static ConfigWatcher start(Path file, Duration quiet, Runnable onChange) throws IOException {
        Path absolute = file.toAbsolutePath();
        WatchService watcher = FileSystems.getDefault().newWatchService();
        absolute.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        Path name = absolute.getFileName();
        Thread thread = new Thread(() -> watch(watcher, name, quiet, onChange), "mistguard-config-watch");
        thread.setDaemon(true);
        thread.start();
        return new ConfigWatcher(watcher, thread);
    }

    private static void watch(WatchService watcher, Path name, Duration quiet, Runnable onChange) {
        try {
            boolean pending = false;
            while (true) {
                WatchKey key = pending ? watcher.poll(quiet.toNanos(), TimeUnit.NANOSECONDS) : watcher.take();
                if (key == null) {
                    pending = false;
                    onChange.run(); // quiet for a while after a change of our file
                    continue;
                }
                for (WatchEvent<?> event : key.pollEvents()) {
                    // Any event of our file (or an overflow, which may hide one) calls for a reload.
                    pending |= event.kind() == StandardWatchEventKinds.OVERFLOW || name.equals(event.context())
                            || String.valueOf(event.context()).startsWith("..data"); // Kubernetes ConfigMap swap
                }
                key.reset();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            log.debug("config watcher stopped");
        }
    }

    @Override
    public void close() throws IOException {
        watcher.close();
        thread.interrupt();
    }
}
