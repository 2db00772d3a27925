package io.mistguard.proxy.policy;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The upstream attempts in flight across every event loop and every route table a reload left
 * running, for {@code /admin/inflight}.
 *
 * <p>A concurrent set: each attempt is added and removed by its own event loop (striped, no lock
 * shared across loops) and listed from the admin thread without stopping anybody. Thread-safe.
 */
public final class Inflight {

    private final Set<InflightAttempt> attempts = ConcurrentHashMap.newKeySet();

    void add(InflightAttempt attempt) {
        attempts.add(attempt);
    }

    void remove(InflightAttempt attempt) {
        attempts.remove(attempt);
    }

    /** The attempts in flight now, oldest first (the ones an operator is looking for). */
    public List<InflightAttempt> list(long nowNanos) {
        return attempts.stream()
                .sorted(Comparator.comparing((InflightAttempt a) -> a.age(nowNanos)).reversed())
                .toList();
    }
}
