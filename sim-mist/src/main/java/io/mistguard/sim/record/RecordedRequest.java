package io.mistguard.sim.record;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One HTTP request as sim-mist received it on its API port, before any fault was applied.
 *
 * @param connectionId the id of the TCP connection it arrived on
 * @param headers header names lower-cased; repeated headers joined with ", "
 * @param commandKeys the top-level keys of the Mist command, in received order (empty if none)
 * @param streams the stream names the command touches, in received order
 */
public record RecordedRequest(long seq, String connectionId, Instant receivedAt, String method, String path,
                              Map<String, String> headers, String body, Set<String> commandKeys,
                              List<String> streams) {
}
