package io.mistguard.proxy.cli;

import io.mistguard.proxy.Mistguard;
import io.mistguard.proxy.reload.ConfigWatcher;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * What starts a reload besides {@code POST /admin/reload}: SIGHUP, and a change of the config file
 * (debounced by {@link #QUIET}). Both only ask {@link Mistguard#reload}, which runs on its own
 * thread; nothing here waits for it. Without a config file there is nothing to watch or reload: a
 * SIGHUP is then logged at WARN and changes nothing (the JVM's default would stop mistguard at once,
 * undrained, with exit status 129).
 *
 * <p>A process started with SIGHUP ignored ({@code nohup}) keeps ignoring it: the JVM installs no
 * handler for an ignored SIGHUP. That is logged at WARN; the file watcher and
 * {@code POST /admin/reload} still work.
 */
final class ReloadTriggers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReloadTriggers.class);
    /** Long enough for an editor's save or a ConfigMap swap to settle, short enough to feel immediate. */
    static final Duration QUIET = Duration.ofMillis(300);

    private final ConfigWatcher watcher;

    private ReloadTriggers(ConfigWatcher watcher) {
        this.watcher = watcher;
    }

    static ReloadTriggers install(Path file, Mistguard mistguard) {
        return install(file, mistguard, null);
    }

    /**
     * Installs the triggers, taking SIGHUP over from {@code early} (may be null); a SIGHUP it held
     * during the start is then acted on once, as it would have been: a reload, or the warning that
     * there is nothing to reload.
     */
    static ReloadTriggers install(Path file, Mistguard mistguard, EarlySignals early) {
        if (file == null) {
            SignalHandler nothing = s -> log.warn(
                    "SIGHUP: nothing to reload, mistguard was started without --config; still serving");
            if (early == null || !early.ignored(EarlySignals.Held.HUP)) {
                Signal.handle(new Signal("HUP"), nothing);
            }
            if (early != null) {
                early.taken(EarlySignals.Held.HUP);
            }
            if (early != null && early.seen(EarlySignals.Held.HUP)) {
                nothing.handle(new Signal("HUP"));
            }
            return none();
        }
        boolean hupIgnored;
        if (early != null && early.ignored(EarlySignals.Held.HUP)) {
            hupIgnored = true;
        } else {
            hupIgnored = Signal.handle(new Signal("HUP"), s -> mistguard.reload("SIGHUP")) == SignalHandler.SIG_IGN;
        }
        if (early != null) {
            early.taken(EarlySignals.Held.HUP);
        }
        if (early != null && early.seen(EarlySignals.Held.HUP)) {
            mistguard.reload("SIGHUP during start-up");
        }
        if (hupIgnored) {
            // Started with SIGHUP ignored (nohup): the JVM then installs no handler for it at all.
            log.warn("SIGHUP is ignored by this process (started under nohup?) and cannot reload it; "
                     + "reload by changing {} or with POST /admin/reload", file);
        }
        ConfigWatcher watcher = null;
        try {
            watcher = ConfigWatcher.start(file, QUIET, () -> mistguard.reload("file change"));
        } catch (RuntimeException e) {
            log.warn("cannot watch {} for changes ({}); reload with {}POST /admin/reload", file, e.toString(),
                     hupIgnored ? "" : "SIGHUP or ");
        }
        return new ReloadTriggers(watcher);
    }

    /** Triggers that watch nothing and leave SIGHUP alone. */
    static ReloadTriggers none() {
        return new ReloadTriggers(null);
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
