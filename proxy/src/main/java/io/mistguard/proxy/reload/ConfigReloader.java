package io.mistguard.proxy.reload;

import io.mistguard.proxy.config.ConfigException;
import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.ProxyConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the config file, validates it exactly as at start, and hands a good one to
 * {@code apply} (which swaps the route table); a bad one is refused with every problem logged and
 * returned, and the running config keeps serving.
 *
 * <p>Reloads run one at a time on a single daemon thread of their own, so file I/O and validation
 * never run on an event loop and triggers arriving together (file change, SIGHUP, admin) cannot
 * interleave. Thread-safe: {@link #reload} may be called from any thread.
 */
public final class ConfigReloader implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    private final Path file;
    private final ReloadOverrides overrides;
    private final Consumer<ProxyConfig> apply;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mistguard-reload");
        t.setDaemon(true);
        return t;
    });
    private volatile ProxyConfig running;

    /**
     * @param file the config file; {@code null} when running on built-in defaults (reload refuses)
     * @param overrides what the command line and environment change in every loaded file, and the
     *     checks a start would make of the result
     * @param apply puts a validated config in force
     */
    public ConfigReloader(Path file, ProxyConfig running, ReloadOverrides overrides,
                          Consumer<ProxyConfig> apply) {
        this.file = file;
        this.running = running;
        this.overrides = overrides;
        this.apply = apply;
    }

    /**
     * Starts a reload; {@code trigger} (SIGHUP, file change, admin) is logged. Once {@link #close} has
     * run (mistguard is stopping, while the admin listener still answers during the drain), the
     * reload is refused instead of throwing at the caller, which would drop the admin connection
     * unanswered or print a stack trace from the signal thread.
     */
    public CompletableFuture<ReloadOutcome> reload(String trigger) {
        try {
            return CompletableFuture.supplyAsync(() -> reloadNow(trigger), thread);
        } catch (RejectedExecutionException e) {
            log.warn("reload ({}) refused: mistguard is stopping", trigger);
            return CompletableFuture.completedFuture(ReloadOutcome.refused(List.of("mistguard is stopping")));
        }
    }

    private ReloadOutcome reloadNow(String trigger) {
        if (file == null) {
            log.warn("reload ({}) refused: mistguard runs on built-in defaults, without --config", trigger);
            return ReloadOutcome.refused(List.of("no config file: mistguard was started without --config"));
        }
        ProxyConfig loaded;
        try {
            loaded = overrides.apply(ConfigLoader.load(file));
        } catch (ConfigException e) {
            log.warn("reload ({}) refused, the running config stays in force:\n  {}", trigger,
                     String.join("\n  ", e.problems()));
            return ReloadOutcome.refused(e.problems());
        } catch (RuntimeException e) {
            log.warn("reload ({}) refused, the running config stays in force: {}", trigger, e.getMessage());
            return ReloadOutcome.refused(List.of(String.valueOf(e.getMessage())));
        }
        List<String> restart = RestartOnly.changed(running, loaded);
        apply.accept(running.withPolicy(loaded.policy()));
        running = running.withPolicy(loaded.policy());
        if (restart.isEmpty()) {
            log.info("reload ({}) applied: {} routes in force", trigger, loaded.policy().routes().size());
        } else {
            log.warn("reload ({}) applied the routes; changes to {} need a restart and were not applied", trigger,
                     restart);
        }
        return new ReloadOutcome(true, List.of(), restart);
    }

    /** The config in force: the start config with the routes of the last good reload. */
    public ProxyConfig running() {
        return running;
    }

    @Override
    public void close() throws InterruptedException {
        thread.shutdownNow();
        thread.awaitTermination(1, TimeUnit.SECONDS);
    }
}
