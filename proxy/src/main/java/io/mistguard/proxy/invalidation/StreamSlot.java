package io.mistguard.proxy.invalidation;

import java.util.concurrent.atomic.AtomicReference;

/**
 * One held stream name and its {@link StreamState}, changed only by compare-and-set.
 *
 * <p>Thread-safe. Producers move a slot only from {@code IN_FLIGHT} to {@code REPENDING}; every other
 * transition belongs to the single drainer. The timestamps are written by whoever makes the
 * transition and read by stats; a momentarily stale value there is harmless.
 */
final class StreamSlot {

    final String name;
    /** Creation order in its {@link PendingSet}: orders slots whose {@link #since} readings tie. */
    final long order;
    private final AtomicReference<StreamState> state;
    /** When the oldest request this slot has not yet delivered was accepted (ticker nanos). */
    private volatile long since;
    /**
     * When the name was requested again during its flight; becomes {@code since} if that succeeds.
     * Written before the {@code IN_FLIGHT -> REPENDING} transition it dates, so that whoever sees
     * {@code REPENDING} reads it (a write by a producer whose transition then failed is overwritten
     * by the next re-request's before that one's transition).
     */
    private volatile long repending;

    StreamSlot(String name, long now, long order) {
        this.name = name;
        this.order = order;
        this.state = new AtomicReference<>(StreamState.PENDING);
        this.since = now;
    }

    StreamState state() {
        return state.get();
    }

    boolean transition(StreamState from, StreamState to) {
        return state.compareAndSet(from, to);
    }

    long since() {
        return since;
    }

    void markRepending(long now) {
        repending = now;
    }

    /** The in-flight call delivered the older request; what is left dates from the re-request. */
    void advanceSinceToRepending() {
        since = repending;
    }

    @Override
    public String toString() {
        return name + "=" + state.get();
    }
}
