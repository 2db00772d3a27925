package io.mistguard.proxy.invalidation;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up step that queues the names left in the state file by the previous run, before any new
 * name can arrive, and reports a corrupt file loudly without refusing to start.
 *
 * <p>Stateless; called once, on the thread that starts the queue.
 */
final class StateReplay {

    private static final Logger log = LoggerFactory.getLogger(StateReplay.class);

    private StateReplay() {
    }

    /**
     * Loads {@code file} into {@code pending} (exempt from the bound: these names were accepted).
     *
     * @return how many names were queued: the file's distinct names, not its lines
     * @throws UncheckedIOException if the file exists but cannot be read or moved aside; starting
     *                              empty then would silently drop its names
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
        for (String name : loaded.names()) {
            if (pending.offerReplayed(name) == OfferOutcome.QUEUED) {
                queued++;
            }
        }
        // The queue coalesces a name it holds already, so the file's repeats are one invalidation.
        int repeats = loaded.names().size() - queued;
        if (repeats > 0) {
            log.info("replaying {} invalidation(s) from {} ({} repeated line(s) coalesced)", queued, file.path(),
                    repeats);
        } else if (queued > 0) {
            log.info("replaying {} invalidation(s) from {}", queued, file.path());
        }
        return queued;
    }
}
