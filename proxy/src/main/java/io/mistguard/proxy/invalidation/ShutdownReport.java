package io.mistguard.proxy.invalidation;

import java.nio.file.Path;
import java.util.List;

/**
 * How {@link InvalidationQueue#shutdown()} ended. Immutable.
 *
 * @param drained   whether everything was delivered within the grace period
 * @param remaining names not known to be delivered (waiting, or in a call abandoned at the deadline)
 * @param stateFile where {@code remaining} was written (the file is removed when nothing remains), or
 *                  {@code null} when durability is off and {@code remaining} is lost
 */
public record ShutdownReport(boolean drained, List<String> remaining, Path stateFile) {
}
