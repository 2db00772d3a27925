package io.mistguard.proxy.invalidation;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Delivers one {@code {"invalidate_sessions": [names]}} call to Mist.
 *
 * <p>The drainer never has two calls outstanding, so an implementation need not be re-entrant, but
 * it is called from the drainer's scheduler thread and may complete the stage on any thread. It must
 * not block, and it must enforce its own per-call timeout: a stage that never completes stalls the
 * queue until shutdown. A stage completed exceptionally (or an exception thrown by {@code send}) is
 * a failed call and its names are sent again later.
 */
@FunctionalInterface
public interface InvalidationSender {

    /** Starts the call for {@code names} (non-empty, distinct, unmodifiable). */
    CompletionStage<Void> send(List<String> names);
}
