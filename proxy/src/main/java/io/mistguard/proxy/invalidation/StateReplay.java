package io.mistguard.proxy.invalidation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up step that queues the names left in the state file by the previous run, before any new
 * name can arrive, and reports a corrupt file loudly without refusing to start. Replay meets
 * {@code max_pending_names} as live offers do; what it cannot queue it keeps in a side file.
 *
 * <p>Stateless; called once, on the thread that starts the queue.
 */
final class StateReplay {

    private static final Logger log = LoggerFactory.getLogger(StateReplay.class);

    private StateReplay() {
    }

    /**
     * Loads {@code file} into {@code pending}, in file order, within its bound as a live offer is:
     * the names beyond {@code max_pending_names} are not queued but written to a side file
     * ({@link StateFile#keepAside}) and counted in one WARN line, since they were accepted once.
     *
     * @return how many names were queued: the file's distinct names within the bound, not its lines
     * @throws UncheckedIOException if the file exists but cannot be read or moved aside, or names
     *                              beyond the bound cannot be kept; starting then would silently
     *                              drop names
     */
    static int replay(StateFile file, PendingSet pending) {
        StateFile.Loaded loaded;
        try {
            loaded = file.load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read invalidation state file " + file.path(), e);
        }
        if (!loaded.problems().isEmpty()) {
            log.error("invalidation state file is corrupt; moved it to {} and replaying the {} name(s) "
                    + "that could be read. Problems:\n  {}", loaded.movedTo(), loaded.names().size(),
                    String.join("\n  ", loaded.problems()));
        }
        if (loaded.found() && loaded.names().isEmpty() && loaded.problems().isEmpty()) {
            log.info("invalidation state file {} holds no names; nothing to replay", file.path());
        }
        int queued = 0;
        Set<String> excess = new LinkedHashSet<>();
        for (String name : loaded.names()) {
            // The live path: a name already held coalesces (a repeat of the file's), a new one
            // beyond the bound is refused; what is refused is kept, never dropped.
            OfferOutcome outcome = pending.offer(name);
            if (outcome == OfferOutcome.QUEUED) {
                queued++;
            } else if (!outcome.accepted()) {
                excess.add(name);
            }
        }
        if (!excess.isEmpty()) {
            Path keptIn;
            try {
                keptIn = file.keepAside(List.copyOf(excess));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot keep the " + excess.size() + " name(s) of " + file.path()
                        + " beyond invalidations.max_pending_names (" + pending.maxHeld() + ")", e);
            }
            log.warn("invalidation state file {} holds more names than invalidations.max_pending_names ({}): "
                    + "the first {} in file order are queued, the other {} name(s) are not and are kept in {}; "
                    + "send them again, or raise max_pending_names and add them to the state file while "
                    + "mistguard is stopped", file.path(), pending.maxHeld(), queued, excess.size(), keptIn);
        }
        // The queue coalesces a name it holds already, so the file's repeats are one invalidation.
        int repeats = loaded.names().size() - queued - excess.size();
        if (repeats > 0) {
            log.info("replaying {} invalidation(s) from {} ({} repeated line(s) coalesced)", queued, file.path(),
                    repeats);
        } else if (queued > 0) {
            log.info("replaying {} invalidation(s) from {}", queued, file.path());
        }
        return queued;
    }
}
