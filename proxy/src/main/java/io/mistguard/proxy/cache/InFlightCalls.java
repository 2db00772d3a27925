package io.mistguard.proxy.cache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The calls to Mist in flight, by cache key, that identical reads may join. Lock-free: a
 * {@link ConcurrentHashMap} shared by all event loops, so N identical polls cost one call however
 * the callers' connections are spread over the loops. A call removes itself when it settles; a
 * caller that finds a settled call that has not yet gone (its join fails) removes it and looks again.
 * Thread-safe.
 */
final class InFlightCalls {

    private final ConcurrentMap<String, SharedCall> calls = new ConcurrentHashMap<>();

    /**
     * Joins the call in flight for {@code key}, or registers {@code fresh} as that call; never null.
     *
     * @param waitersDeadline the joining caller's own deadline on the cache's clock, given to the call it joins
     * @return the caller as a waiter on the call it joined, or {@code fresh}'s starter if none was in flight
     */
    SharedCall.Waiter joinOrRegister(String key, SharedCall fresh, long waitersDeadline) {
        while (true) {
            SharedCall current = calls.putIfAbsent(key, fresh);
            if (current == null) {
                return fresh.starter();
            }
            SharedCall.Waiter joined = current.join(waitersDeadline);
            if (joined != null) {
                return joined;
            }
            calls.remove(key, current); // settled: about to remove itself anyway
        }
    }

    /** The call in flight for {@code key}, or null. */
    SharedCall get(String key) {
        return calls.get(key);
    }

    void remove(String key, SharedCall call) {
        calls.remove(key, call);
    }

    int size() {
        return calls.size();
    }
}
